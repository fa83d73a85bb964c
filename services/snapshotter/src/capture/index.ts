/**
 * The capture pipeline: navigate, then one stage per artifact, each inside the job's time
 * budget and reported through `onStage`. A stage that fails on its own is recorded as a
 * missing artifact (the snapshot ends `partial`); a failed navigation or a crashed browser
 * fails the whole capture. New stages (settle, text, thumbnail…) slot into `ARTIFACT_STAGES`.
 */
import type { ArtifactKind, CaptureStage, ErrorCode } from '@linksnap/shared';
import type { Page } from 'puppeteer-core';
import type { EgressProxy } from '../egress/proxy.js';
import { toCaptureError } from '../errors.js';
import { createBudget, withTimeout } from './budget.js';
import { captureHtml } from './html.js';
import { metadataArtifact, type PageMetadata, readMetadata } from './metadata.js';
import { captureMhtml } from './mhtml.js';
import { type NavigationResult, navigate } from './navigate.js';
import { capturePdf } from './pdf.js';
import { captureScreenshot } from './screenshot.js';

export interface CapturedArtifact {
  kind: ArtifactKind;
  body: Buffer;
}

export interface MissingArtifact {
  kind: ArtifactKind;
  code: ErrorCode;
  detail: string;
}

export interface CaptureOutput {
  navigation: NavigationResult;
  metadata: PageMetadata;
  artifacts: CapturedArtifact[];
  missing: MissingArtifact[];
  /** Milliseconds per stage. */
  timings: Record<string, number>;
}

export interface CaptureOptions {
  url: string;
  timeoutMs: number;
  proxy?: EgressProxy;
  onStage?: (stage: CaptureStage) => Promise<void> | void;
}

interface ArtifactStage {
  stage: CaptureStage;
  kind: ArtifactKind;
  run: (page: Page, ctx: { navigation: NavigationResult; metadata: PageMetadata }) => Promise<Buffer>;
}

const ARTIFACT_STAGES: ArtifactStage[] = [
  { stage: 'screenshot', kind: 'screenshot', run: (page) => captureScreenshot(page) },
  { stage: 'pdf', kind: 'pdf', run: (page) => capturePdf(page) },
  { stage: 'mhtml', kind: 'mhtml', run: (page) => captureMhtml(page) },
  { stage: 'html', kind: 'html', run: (page) => captureHtml(page) },
  { stage: 'metadata', kind: 'metadata', run: async (_page, ctx) => metadataArtifact(ctx.metadata) },
];

/** Share of the whole budget navigation may use; the rest is kept for the artifacts. */
const NAVIGATION_SHARE = 0.6;

export async function capturePage(page: Page, options: CaptureOptions): Promise<CaptureOutput> {
  const budget = createBudget(options.timeoutMs);
  const timings: Record<string, number> = {};
  const timed = async <T>(stage: CaptureStage, work: () => Promise<T>): Promise<T> => {
    await options.onStage?.(stage);
    const t0 = performance.now();
    try {
      return await work();
    } finally {
      timings[stage] = Math.round(performance.now() - t0);
    }
  };

  page.on('dialog', (dialog) => {
    dialog.dismiss().catch(() => undefined);
  });

  const navigation = await timed('navigate', () =>
    navigate(page, {
      url: options.url,
      timeoutMs: Math.max(1_000, Math.floor(budget.remaining() * NAVIGATION_SHARE)),
      quietTimeoutMs: Math.min(4_000, budget.remaining()),
      proxy: options.proxy,
    }),
  );

  const readMeta = () =>
    withTimeout(readMetadata(page, navigation), Math.max(1, budget.remaining()), 'Reading metadata').catch(
      (): PageMetadata => ({
        title: null,
        description: null,
        lang: null,
        canonical: null,
        finalUrl: navigation.finalUrl,
        httpStatus: navigation.httpStatus,
        contentType: navigation.contentType,
      }),
    );
  const metadata = await readMeta();

  const artifacts: CapturedArtifact[] = [];
  const missing: MissingArtifact[] = [];
  for (const step of ARTIFACT_STAGES) {
    try {
      const body = await timed(step.stage, () =>
        withTimeout(
          step.run(page, { navigation, metadata }),
          Math.max(1, budget.remaining()),
          `The ${step.stage} stage`,
        ),
      );
      artifacts.push({ kind: step.kind, body });
    } catch (err) {
      const error = toCaptureError(err);
      if (error.code === 'BROWSER_CRASHED') throw error;
      missing.push({ kind: step.kind, code: error.code, detail: error.detail });
    }
  }
  return { navigation, metadata, artifacts, missing, timings };
}
