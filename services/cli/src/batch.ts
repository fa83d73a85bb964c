/**
 * `snap add URL URL …`: every URL in one POST /v1/links/batch (per 500), so a long list is one
 * submission against the per-user rate limit instead of one per URL.
 */
import type { ResponseBody } from '@linksnap/api-client';
import { answer, CliError, type Client } from './client.js';

/** The most URLs the API takes in one batch. */
const BATCH_SIZE = 500;

export interface Submitted {
  url: string;
  link?: { id: string };
  snapshotId?: string;
  error?: string;
}

type BatchItem = ResponseBody<'createLinks'>['items'][number];

/** One result per URL, in order; a batch the API refuses as a whole gives each of its URLs that error. */
export async function submitBatch(client: Client, urls: string[], tags: string[]): Promise<Submitted[]> {
  const submitted: Submitted[] = [];
  for (let start = 0; start < urls.length; start += BATCH_SIZE) {
    const chunk = urls.slice(start, start + BATCH_SIZE);
    try {
      const body = { urls: chunk, ...(tags.length ? { tags } : {}) };
      const { items } = await answer(client.api.POST('/v1/links/batch', { body }));
      submitted.push(...items.map(toSubmitted));
    } catch (err) {
      // Unreachable (exit code 3) ends the command, as before.
      if (!(err instanceof CliError) || err.exitCode === 3) throw err;
      submitted.push(...chunk.map((url) => ({ url, error: err.message })));
    }
  }
  return submitted;
}

/** A refused URL reads as the single add's error did: `title: detail` of its problem. */
function toSubmitted(item: BatchItem): Submitted {
  if (item.link && item.snapshot) return { url: item.url, link: item.link, snapshotId: item.snapshot.id };
  const title = item.problem?.title ?? `HTTP ${item.status}`;
  const detail = item.problem?.detail ? `: ${item.problem.detail}` : '';
  return { url: item.url, error: `${title}${detail}` };
}
