/**
 * The one way the UI talks to the API: the typed client generated from the API's OpenAPI
 * document (@linksnap/api-client) over same-origin fetch with the session cookie, the CSRF
 * header on unsafe methods, and problem+json turned into an ApiError carrying the catalog code.
 * The UI's types are the document's: a response that changes shape fails the UI's type-check.
 */
import { type ApiClient, createApiClient, type ResponseBody } from '@linksnap/api-client';

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

/**
 * The fetch under the typed client: the CSRF header on unsafe methods, and any failure thrown
 * as an ApiError, so a call that returns has succeeded.
 */
async function send(request: Request, quiet401: boolean): Promise<Response> {
  if (request.method !== 'GET' && request.method !== 'HEAD') request.headers.set('x-csrf-token', csrfToken());
  let res: Response;
  try {
    res = await fetch(request);
  } catch {
    throw new ApiError('NETWORK', 0);
  }
  if (!res.ok) {
    const error = await toError(res);
    if (res.status === 401 && !quiet401) onUnauthenticated();
    throw error;
  }
  return res;
}

const clientOptions = { headers: { accept: 'application/json' }, credentials: 'same-origin' } as const;

/** Typed calls to the API (same origin, the session cookie): `answer(api.GET('/v1/tags'))`. */
export const api: ApiClient = createApiClient({ ...clientOptions, fetch: (request) => send(request, false) });

/** The same, for the sign-in calls: a 401 there is a wrong password, not a session that ended. */
export const signInApi: ApiClient = createApiClient({ ...clientOptions, fetch: (request) => send(request, true) });

/** The body of a call that succeeded (every failure threw an ApiError in `send`). */
export async function answer<T>(call: Promise<{ data?: T }>): Promise<T> {
  return (await call).data as T;
}

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
      const body = { urls: chunk, ...(tags.length ? { tags: [...tags] } : {}) };
      const { items } = await answer(api.POST('/v1/links/batch', { body }));
      results.push(...items.map(toSubmitResult));
    } catch (err) {
      const error = err instanceof ApiError ? err : new ApiError('NETWORK', 0);
      results.push(...chunk.map(() => ({ error })));
    }
  }
  return results;
}

type BatchItem = ResponseBody<'createLinks'>['items'][number];

function toSubmitResult(item: BatchItem): SubmitResult {
  if (item.link && item.snapshot) return { link: item.link, snapshot: item.snapshot };
  const problem = item.problem ?? { code: '', status: item.status };
  return { error: new ApiError(problem.code, problem.status, problem) };
}

/** Same-origin URL of a snapshot artifact (the session cookie authenticates it). */
export const artifactUrl = (snapshotId: string, kind: string) =>
  `/v1/snapshots/${encodeURIComponent(snapshotId)}/artifacts/${encodeURIComponent(kind)}`;

type TagView = ResponseBody<'listTags'>['items'][number];
/** A tag as lists show it, or as a link names it (id and name only). */
export type Tag = Pick<TagView, 'id' | 'name'> & Partial<TagView>;

type LinkView = ResponseBody<'getLink'>;
type LinkListItem = ResponseBody<'listLinks'>['items'][number];
type LatestAttempt = NonNullable<LinkView['latestSnapshot']> & Partial<NonNullable<LinkListItem['latestSnapshot']>>;
/**
 * A link; lists add its last good version, thumbnail and, when searching, the match, and say
 * more about the latest attempt.
 */
export type LinkItem = Omit<LinkView, 'latestSnapshot'> &
  Partial<Omit<LinkListItem, keyof LinkView>> & { latestSnapshot: LatestAttempt | null };

/** A capture in full (GET /v1/snapshots/{id}). */
export type SnapshotView = ResponseBody<'getSnapshot'>;
/** A capture: as queued, as a version in a link's list, or in full once fetched. */
export type Snapshot = Pick<SnapshotView, 'id' | 'status'> &
  Partial<Omit<SnapshotView, 'error'>> & {
    /** A version in a list names its error's code as a plain string. */
    error?: { code: string; title: string; detail: string } | null;
  };
export type Artifact = SnapshotView['artifacts'][number];
export type VersionChange = NonNullable<SnapshotView['change']>;

export type Diff = ResponseBody<'getSnapshotDiff'>;
export type Box = NonNullable<Diff['visual']>['boxes'][number];

export type Job = ResponseBody<'getJob'>;

export const FINAL_STATES = ['succeeded', 'partial', 'failed'];

export type User = ResponseBody<'getCurrentUser'>['user'];
