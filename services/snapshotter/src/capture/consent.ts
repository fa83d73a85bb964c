/**
 * Consent dialogs: DuckDuckGo's autoconsent runs in the captured page's main frame and, where a
 * known consent platform's dialog is open, rejects optional cookies the way a person would
 * (its rule set covers the common platforms). It talks to us through a page binding: it asks
 * for its rules and config, asks us to evaluate the platform checks it cannot run itself, and
 * reports its progress. Started right after navigation, it works while the page settles; what
 * it did (which rule acted, with what result) goes into the capture report. Nothing here may
 * fail a capture: a rule that throws or never ends is a note in the report, bounded by the wait.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { filterCompactRules, type IndexedCMPRuleset } from '@duckduckgo/autoconsent';
import type { Page } from 'puppeteer-core';

const require = createRequire(import.meta.url);
let bundle: { script: string; rules: IndexedCMPRuleset } | undefined;
/** The content script and the compact rule set, read once per process. */
function autoconsentBundle() {
  bundle ??= {
    // The page-side bundle sits beside the package's entry point but is not in its exports.
    script: readFileSync(
      path.join(path.dirname(require.resolve('@duckduckgo/autoconsent')), 'autoconsent.playwright.js'),
      'utf8',
    ),
    rules: JSON.parse(
      readFileSync(require.resolve('@duckduckgo/autoconsent/rules/compact-rules.json'), 'utf8'),
    ) as IndexedCMPRuleset,
  };
  return bundle;
}

const BINDING = 'autoconsentSendMessage';
/**
 * One retry after ~500 ms covers a banner drawn just after load; with more, autoconsent waits
 * for DOM mutations and, on a quiet page without a banner, never reports that it found none
 * (the capture would wait out the whole budget).
 */
const DETECT_RETRIES = 1;
const FINAL_LIFECYCLES = new Set(['nothingDetected', 'optOutSucceeded', 'optOutFailed', 'done']);

export interface ConsentReport {
  /** The rule that recognised the dialog, null when none did. */
  rule: string | null;
  /** True once the rule rejected optional cookies; false when it tried and failed. */
  optedOut: boolean | null;
  /** autoconsent's last lifecycle state (`nothingDetected`, `optOutSucceeded`…). */
  lifecycle: string;
  errors: string[];
  elapsedMs: number;
}

export interface ConsentSession {
  /** Injects the content script once the page is there (never throws: failures are noted). */
  start(): Promise<void>;
  /** Waits (at most `waitMs`) for autoconsent to finish, then reports what it did. */
  finish(waitMs: number): Promise<ConsentReport>;
}

const CONFIG = {
  enabled: true,
  autoAction: 'optOut',
  disabledCmps: [],
  enablePrehide: false,
  enableCosmeticRules: true,
  enableGeneratedRules: true,
  detectRetries: DETECT_RETRIES,
  isMainWorld: true,
  prehideTimeout: 2000,
  enableHeuristicDetection: false,
  enablePopupMutationObserver: false,
  visualTest: false,
  logs: {
    lifecycle: false,
    rulesteps: false,
    detectionsteps: false,
    evals: false,
    errors: false,
    messages: false,
    waits: false,
  },
  performanceLoggingEnabled: false,
  heuristicPopupSearchTimeout: 0,
  heuristicMode: 'off',
};

type Message = { type: string; [key: string]: unknown };

/** Installs the binding; call before navigation so the page can call it at any time. */
export async function prepareConsent(page: Page): Promise<ConsentSession> {
  const started = Date.now();
  const report: ConsentReport = { rule: null, optedOut: null, lifecycle: 'notStarted', errors: [], elapsedMs: 0 };
  let settle: () => void = () => undefined;
  const finished = new Promise<void>((resolve) => {
    settle = resolve;
  });
  const note = (error: unknown) => {
    if (report.errors.length < 10) report.errors.push(error instanceof Error ? error.message : String(error));
  };
  const reply = (message: object) =>
    page.evaluate(`window.autoconsentReceiveMessage && autoconsentReceiveMessage(${JSON.stringify(message)})`);

  const handle = async (message: Message) => {
    switch (message.type) {
      case 'init': {
        const rules = filterCompactRules(autoconsentBundle().rules, { url: String(message.url), mainFrame: true });
        await reply({ type: 'initResp', config: CONFIG, rules: { compact: rules } });
        break;
      }
      case 'eval': {
        // Platform checks (for instance a CMP's own JavaScript API) run in the page itself.
        const result = await page.evaluate(String(message.code)).catch(() => false);
        await reply({ id: message.id, type: 'evalResp', result });
        break;
      }
      case 'cmpDetected':
      case 'popupFound':
        report.rule = String(message.cmp);
        break;
      case 'optOutResult':
        report.rule = String(message.cmp);
        report.optedOut = Boolean(message.result);
        break;
      case 'autoconsentDone':
        report.rule = String(message.cmp);
        report.lifecycle = 'done';
        settle();
        break;
      case 'autoconsentError':
        note(JSON.stringify(message.details));
        break;
      case 'report': {
        const lifecycle = (message.state as { lifecycle?: string } | undefined)?.lifecycle;
        if (lifecycle) report.lifecycle = lifecycle;
        if (lifecycle && FINAL_LIFECYCLES.has(lifecycle)) settle();
        break;
      }
    }
  };
  await page.exposeFunction(BINDING, (message: Message) => {
    handle(message).catch(note);
  });

  return {
    async start() {
      report.lifecycle = 'loading';
      try {
        await page.evaluate(autoconsentBundle().script);
      } catch (err) {
        note(err);
        settle();
      }
    },
    async finish(waitMs) {
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<void>((resolve) => {
        timer = setTimeout(() => {
          note(`still ${report.lifecycle} after ${waitMs} ms`);
          resolve();
        }, waitMs);
      });
      await Promise.race([finished, timedOut]);
      clearTimeout(timer);
      return { ...report, errors: [...report.errors], elapsedMs: Date.now() - started };
    },
  };
}
