/**
 * The `wacz` stage: the recording as a signed WACZ 1.1.1 package (WARC 1.1 written by
 * archive/warc.ts, packed and signed by the shared wacz.ts, so the API and CLI verify with the
 * same code that wrote it).
 */
import { type ArchiveSigner, packWacz } from '@linksnap/shared';
import type { KnownPayloads } from '../archive/known-payloads.js';
import { writeWarc } from '../archive/warc.js';
import type { Recording } from './recorder.js';

export const SOFTWARE = 'LinkSnap snapshotter 0.1.0 (warcio.js)';

export interface WaczPageInfo {
  url: string;
  title: string | null;
  capturedAt: Date;
}

/** `known`: payloads earlier versions archived, written as `revisit` records (ADR 0017). */
export async function captureWacz(
  recording: Recording,
  page: WaczPageInfo,
  signer: ArchiveSigner,
  known?: KnownPayloads,
): Promise<Buffer> {
  const { warc, cdxj } = await writeWarc(recording, { software: SOFTWARE, pageUrl: page.url }, known);
  return packWacz({
    warc,
    cdxj,
    page: { url: page.url, title: page.title, ts: page.capturedAt },
    software: SOFTWARE,
    created: new Date(),
    signer,
  });
}
