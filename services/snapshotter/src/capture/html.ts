/**
 * The `html` artifact: the rendered DOM (after scripts ran) as one self-contained file, every
 * subresource inlined from what the capture recorded (no second download), nothing left that
 * runs script or reaches the network when the file is opened.
 */
import type { Page } from 'puppeteer-core';
import { inlineHtml } from './inline/html.js';
import type { InlineContext } from './inline/resources.js';
import type { RecordingLookup } from './recording.types.js';
import { serializeDom } from './serialize-dom.js';

/** One resource above this is left out rather than inflating the file (video, huge images). */
export const MAX_INLINED_RESOURCE_BYTES = 8 * 1024 * 1024;

export interface SelfContainedHtml {
  body: Buffer;
  stats: InlineContext['stats'];
}

export async function captureHtml(page: Page, recording: RecordingLookup): Promise<SelfContainedHtml> {
  const { html, baseUrl } = await serializeDom(page);
  return selfContainedHtml(html, baseUrl, recording);
}

/** Markup serialised at `baseUrl`, made self-contained from `recording`. */
export function selfContainedHtml(html: string, baseUrl: string, recording: RecordingLookup): SelfContainedHtml {
  const context: InlineContext = {
    recording,
    maxResourceBytes: MAX_INLINED_RESOURCE_BYTES,
    stats: { inlined: 0, missing: 0, bytes: 0 },
  };
  const body = Buffer.from(inlineHtml(html, { baseUrl, context }), 'utf8');
  return { body, stats: context.stats };
}
