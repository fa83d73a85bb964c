/**
 * The one way the UI talks to the API: same-origin fetch with the session cookie, the CSRF
 * header on unsafe methods, and problem+json turned into an ApiError carrying the catalog code.
 */

export class ApiError extends Error {
  constructor(
    readonly code: string,
    readonly status: number,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(code);
  }
}

function csrfToken(): string {
  const match = /(?:^|;\s*)csrf=([^;]*)/.exec(document.cookie);
  return match?.[1] ? decodeURIComponent(match[1]) : '';
}

let onUnauthenticated: () => void = () => {};
/** Called when a request answers 401 outside the sign-in calls (the session expired). */
export function setUnauthenticatedHandler(handler: () => void): void {
  onUnauthenticated = handler;
}

export interface RequestOptions {
  json?: unknown;
  body?: BodyInit;
  contentType?: string;
  /** Do not treat 401 as "session ended" (sign-in forms). */
  quiet401?: boolean;
}

async function toError(res: Response): Promise<ApiError> {
  let body: Record<string, unknown> = {};
  try {
    body = (await res.json()) as Record<string, unknown>;
  } catch {
    // not JSON: the status decides
  }
  const code =
    typeof body.code === 'string' ? body.code : res.status === 404 ? 'NOT_FOUND' : res.status >= 500 ? 'INTERNAL' : '';
  return new ApiError(code, res.status, body);
}

export async function request<T = unknown>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (method !== 'GET' && method !== 'HEAD') headers['x-csrf-token'] = csrfToken();
  let body = options.body;
  if (options.json !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(options.json);
  } else if (options.contentType) headers['content-type'] = options.contentType;
  let res: Response;
  try {
    res = await fetch(path, { method, headers, body, credentials: 'same-origin' });
  } catch {
    throw new ApiError('NETWORK', 0);
  }
  if (!res.ok) {
    const error = await toError(res);
    if (res.status === 401 && !options.quiet401) onUnauthenticated();
    throw error;
  }
  if (res.status === 204) return undefined as T;
  const type = res.headers.get('content-type') ?? '';
  return (type.includes('json') ? await res.json() : await res.text()) as T;
}

export const api = {
  get: <T>(path: string) => request<T>('GET', path),
  post: <T>(path: string, json?: unknown) => request<T>('POST', path, { json: json ?? {} }),
  patch: <T>(path: string, json: unknown) => request<T>('PATCH', path, { json }),
  del: (path: string) => request<void>('DELETE', path),
  put: <T>(path: string, json: unknown) => request<T>('PUT', path, { json }),
};

/** One pasted URL's answer: saved with its queued capture, or refused with its own error. */
export type SubmitResult = { link: LinkItem; snapshot: Snapshot } | { error: ApiError };

/** The most URLs POST /v1/links/batch takes at once. */
const BATCH_SIZE = 500;

/**
 * Saves pasted URLs through POST /v1/links/batch: one request (and one rate-limit count) per
 * 500 URLs instead of one per URL. Answers per URL, in input order; a whole batch that fails
 * gives every URL of it that error.
 */
export async function submitLinks(urls: readonly string[], tags: readonly string[]): Promise<SubmitResult[]> {
  const results: SubmitResult[] = [];
  for (let start = 0; start < urls.length; start += BATCH_SIZE) {
    const chunk = urls.slice(start, start + BATCH_SIZE);
    try {
      const body = { urls: chunk, ...(tags.length ? { tags } : {}) };
      const { items } = await api.post<{ items: BatchItem[] }>('/v1/links/batch', body);
      results.push(...items.map(toSubmitResult));
    } catch (err) {
      const error = err instanceof ApiError ? err : new ApiError('NETWORK', 0);
      results.push(...chunk.map(() => ({ error })));
    }
  }
  return results;
}

interface BatchItem {
  url: string;
  status: number;
  link?: LinkItem;
  snapshot?: Snapshot;
  problem?: Record<string, unknown> & { code: string; status: number };
}

function toSubmitResult(item: BatchItem): SubmitResult {
  if (item.link && item.snapshot) return { link: item.link, snapshot: item.snapshot };
  const problem = item.problem ?? { code: '', status: item.status };
  return { error: new ApiError(problem.code, problem.status, problem) };
}

/** Same-origin URL of a snapshot artifact (the session cookie authenticates it). */
export const artifactUrl = (snapshotId: string, kind: string) =>
  `/v1/snapshots/${encodeURIComponent(snapshotId)}/artifacts/${encodeURIComponent(kind)}`;

export interface Tag {
  id: string;
  name: string;
  linkCount?: number;
  schedule?: string | null;
}

export interface LinkItem {
  id: string;
  url: string;
  title: string | null;
  description: string | null;
  createdAt: string;
  tags: { id: string; name: string }[];
  /** The latest attempt: the link's capture state. */
  latestSnapshot: {
    id: string;
    status: string;
    title?: string | null;
    finishedAt?: string | null;
    httpStatus?: number | null;
    errorCapture?: boolean;
  } | null;
  /** The version shown and thumbnailed: the newest good one (lists only). */
  lastGoodSnapshot?: { id: string; title: string | null; finishedAt: string | null } | null;
  lastGoodSnapshotId?: string | null;
  schedule?: { every: string; source: 'link' | 'tag'; tagId: string | null } | null;
  nextCaptureAt?: string | null;
  /** Gone since (DNS failure, error page after a good one, soft 404). */
  deadAt?: string | null;
  thumbnailUrl?: string | null;
  /** Only in search results: the version that matched and a marked window of its text. */
  match?: { snapshotId: string | null; snippet: string | null };
}

export interface Artifact {
  kind: string;
  contentType: string;
  bytes: number;
  url?: string;
}

export interface Snapshot {
  id: string;
  linkId: string;
  status: string;
  requestedAt: string;
  attempts?: number;
  error?: { code: string; title?: string; detail?: string } | null;
  httpStatus?: number | null;
  /** The site answered 4xx/5xx: an error page, kept but not shown as the link. */
  errorCapture?: boolean;
  /** `upload`: the page as the user's browser showed it (the extension), not fetched by the server. */
  source?: 'capture' | 'upload';
  finalUrl?: string | null;
  contentType?: string | null;
  title?: string | null;
  lang?: string | null;
  timings?: Record<string, number> | null;
  artifacts?: Artifact[];
  missing?: unknown;
  startedAt?: string | null;
  finishedAt?: string | null;
  change?: VersionChange | null;
}

export interface VersionChange {
  text: 'same' | 'changed' | null;
  visual: number | null;
  status: 'same' | 'moved' | 'gone';
}

export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface Diff {
  from: string;
  to: string;
  text: { op: 'equal' | 'insert' | 'delete'; text: string }[];
  visual: { changedRatio: number; boxes: Box[]; width: number; height: number } | null;
  imageUrl: string | null;
}

export interface Job {
  id: string;
  state: 'queued' | 'active' | 'succeeded' | 'partial' | 'failed';
  progress: { stage: string; percent: number };
  error: { code: string; title?: string; detail?: string } | null;
  errorCapture?: boolean;
  snapshot: Snapshot | null;
}

export const FINAL_STATES = ['succeeded', 'partial', 'failed'];

export interface User {
  id: string;
  email: string;
}
