/**
 * Consent dialogs: DuckDuckGo's autoconsent runs in the captured page and its iframes and, where a
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
import type { Frame, Page } from 'puppeteer-core';

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

/** The page binding every frame's script sends through (with its frame's token). */
const BINDING = 'linksnapConsentMessage';
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
  /** The URL of the iframe the dialog was in; null when it was in the page itself, or none was. */
  frame: string | null;
  /** Documents autoconsent ran in: the page and its http(s) iframes (a frame navigated twice counts twice). */
  frames: number;
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

/**
 * Frames autoconsent runs in per capture, the page's own included. Consent platforms that draw
 * their dialog in an iframe (Sourcepoint, TrustArc, Piano…) need the script inside that frame;
 * the cap bounds what a page full of embeds costs (each frame parses the ~200 kB bundle).
 */
const MAX_FRAMES = 12;

/** autoconsent in one document of one frame. */
interface FrameRun {
  frame: Frame;
  main: boolean;
  lifecycle: string;
  /** The rule that recognised a platform here; `acted` once it found the dialog open. */
  rule: string | null;
  acted: boolean;
  optedOut: boolean | null;
  final: boolean;
}

/**
 * Installs the binding; call before navigation so the page can call it at any time. Each frame
 * the script runs in sends through it with its own token, so the answers (rules for that frame's
 * URL, evaluations) go back to the frame that asked.
 */
export async function prepareConsent(page: Page): Promise<ConsentSession> {
  const started = Date.now();
  const errors: string[] = [];
  /** By token: what each frame's messages carry. */
  const runs = new Map<number, FrameRun>();
  let nextToken = 0;
  /** Wakes `finish` when a frame's run ends. */
  let wake: () => void = () => undefined;
  const note = (error: unknown) => {
    if (errors.length < 10) errors.push(error instanceof Error ? error.message : String(error));
  };
  /** Done when every frame it runs in has come to an end (a frame's end may be "nothing here"). */
  const allFinal = () => [...runs.values()].every((r) => r.final);
  const check = () => {
    if (allFinal()) wake();
  };
  const reply = (run: FrameRun, message: object) =>
    run.frame.evaluate(`window.autoconsentReceiveMessage && autoconsentReceiveMessage(${JSON.stringify(message)})`);

  const handle = async (run: FrameRun, message: Message) => {
    switch (message.type) {
      case 'init': {
        const rules = filterCompactRules(autoconsentBundle().rules, {
          url: run.frame.url() || String(message.url),
          mainFrame: run.main,
        });
        await reply(run, { type: 'initResp', config: CONFIG, rules: { compact: rules } });
        break;
      }
      case 'eval': {
        // Platform checks (for instance a CMP's own JavaScript API) run in the frame itself.
        const result = await run.frame.evaluate(String(message.code)).catch(() => false);
        await reply(run, { id: message.id, type: 'evalResp', result });
        break;
      }
      case 'cmpDetected':
        run.rule = String(message.cmp);
        break;
      case 'popupFound':
        run.rule = String(message.cmp);
        run.acted = true;
        break;
      case 'optOutResult':
        run.rule = String(message.cmp);
        run.acted = true;
        run.optedOut = Boolean(message.result);
        break;
      case 'autoconsentDone':
        run.rule = String(message.cmp);
        run.acted = true;
        run.lifecycle = 'done';
        run.final = true;
        check();
        break;
      case 'autoconsentError':
        note(JSON.stringify(message.details));
        break;
      case 'report': {
        const lifecycle = (message.state as { lifecycle?: string } | undefined)?.lifecycle;
        if (lifecycle) run.lifecycle = lifecycle;
        if (lifecycle && FINAL_LIFECYCLES.has(lifecycle)) {
          run.final = true;
          check();
        }
        break;
      }
    }
  };
  await page.exposeFunction(BINDING, (token: number, message: Message) => {
    const run = runs.get(token);
    if (run) handle(run, message).catch(note);
  });

  /**
   * Runs autoconsent in a frame's current document (an http(s) one, within the cap). A frame
   * that navigated within its document (history.pushState, a #fragment) already runs it.
   */
  const inject = async (frame: Frame) => {
    if (runs.size >= MAX_FRAMES || frame.detached || !/^https?:/.test(frame.url())) return;
    const main = frame === page.mainFrame();
    const token = nextToken++;
    const run: FrameRun = { frame, main, lifecycle: 'loading', rule: null, acted: false, optedOut: null, final: false };
    try {
      const fresh = await frame.evaluate(
        `window.autoconsentReceiveMessage ? false : ((window.autoconsentSendMessage = (m) => window.${BINDING}(${token}, m)), true)`,
      );
      if (!fresh) return;
      // A frame navigated again runs afresh: its earlier document is gone, whatever it did there.
      for (const earlier of runs.values()) if (earlier.frame === frame) earlier.final = true;
      runs.set(token, run);
      await frame.evaluate(autoconsentBundle().script);
    } catch (err) {
      // A frame detached meanwhile is not worth a note; the page's own frame is.
      if (main) note(err);
      run.final = true;
      check();
    }
  };
  const onNavigated = (frame: Frame) => {
    inject(frame).catch(note);
  };
  /** A frame removed (a dialog's iframe often is, once answered) reports nothing more. */
  const onDetached = (frame: Frame) => {
    for (const run of runs.values()) if (run.frame === frame) run.final = true;
    check();
  };

  const summary = (): ConsentReport => {
    const all = [...runs.values()];
    const mainRun = all.find((r) => r.main);
    // The frame whose rule found a dialog open speaks for the page; else one that saw a platform.
    const speaker = all.find((r) => r.acted) ?? all.find((r) => r.rule !== null) ?? mainRun;
    return {
      rule: speaker?.rule ?? null,
      optedOut: speaker?.optedOut ?? null,
      frame: speaker && !speaker.main ? speaker.frame.url() : null,
      lifecycle: speaker?.lifecycle ?? 'notStarted',
      frames: all.length,
      errors: [...errors],
      elapsedMs: Date.now() - started,
    };
  };

  return {
    async start() {
      page.on('framenavigated', onNavigated);
      page.on('framedetached', onDetached);
      // Only the page's own frame is waited for: an iframe's evaluation waits for its document's
      // context, which a frame stuck loading may not get for as long as the page lives (seen
      // once on the corpus: 29 s). Its run starts when it can; the wait in `finish` is bounded.
      for (const frame of page.frames()) if (frame !== page.mainFrame()) onNavigated(frame);
      await inject(page.mainFrame());
    },
    async finish(waitMs) {
      // A frame may start late (a platform's iframe drawn after the page's own run ended), so
      // the condition is read again on every wake rather than settled once.
      const deadline = Date.now() + waitMs;
      while (!allFinal()) {
        const left = deadline - Date.now();
        if (left <= 0) {
          const waiting = [...runs.values()]
            .filter((r) => !r.final)
            .map((r) => (r.main ? r.lifecycle : `${r.lifecycle} in ${r.frame.url()}`));
          note(`still ${waiting.join(', ')} after ${waitMs} ms`);
          break;
        }
        let timer: NodeJS.Timeout | undefined;
        await new Promise<void>((resolve) => {
          wake = resolve;
          timer = setTimeout(resolve, left);
        });
        clearTimeout(timer);
      }
      page.off('framenavigated', onNavigated);
      page.off('framedetached', onDetached);
      return summary();
    },
  };
}
