/**
 * The extension's client of a LinkSnap instance: an API key as Bearer token, problem+json
 * errors as `ApiError`, and the job's Server-Sent Events read from a fetch stream (EventSource
 * cannot send the Authorization header). Shared by the popup and the background.
 */

export interface Settings {
  /** The instance's origin, e.g. `https://snap.example.org`. */
  instance: string;
  apiKey: string;
}

export interface Tag {
  id: string;
  name: string;
  linkCount: number;
}

export interface Created {
  link: { id: string; url: string };
  snapshot: { id: string; status: string };
}

export interface JobEvent {
  kind: 'state' | 'progress';
  state?: string;
  stage?: string;
  percent?: number;
  error?: { code: string; title: string; detail: string } | null;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    detail: string,
  ) {
    super(detail);
  }

  /** The key is wrong or was revoked: the user must sign in again. */
  get unauthenticated(): boolean {
    return this.status === 401;
  }
}

const SETTINGS_KEY = 'settings';

export async function loadSettings(): Promise<Settings | null> {
  const stored = await chrome.storage.local.get(SETTINGS_KEY);
  const settings = stored[SETTINGS_KEY] as Settings | undefined;
  return settings?.instance && settings.apiKey ? settings : null;
}

export async function saveSettings(settings: Settings | null): Promise<void> {
  if (settings) await chrome.storage.local.set({ [SETTINGS_KEY]: settings });
  else await chrome.storage.local.remove(SETTINGS_KEY);
}

/** `https://x.org/` and `x.org` both become `https://x.org`. */
export function normalizeInstance(raw: string): string {
  const text = raw.trim();
  const url = new URL(/^https?:\/\//i.test(text) ? text : `https://${text}`);
  return url.origin;
}

async function call<T>(settings: Settings, path: string, init: RequestInit = {}): Promise<T> {
  const headers = new Headers(init.headers);
  headers.set('authorization', `Bearer ${settings.apiKey}`);
  const res = await fetch(`${settings.instance}${path}`, { ...init, headers });
  const type = res.headers.get('content-type') ?? '';
  const body = type.includes('json') ? await res.json() : await res.text();
  if (!res.ok) {
    const problem = (typeof body === 'object' && body) || {};
    throw new ApiError(
      res.status,
      problem.code ?? 'HTTP_ERROR',
      problem.detail ?? problem.title ?? `HTTP ${res.status}`,
    );
  }
  return body as T;
}

export async function listTags(settings: Settings): Promise<Tag[]> {
  return (await call<{ items: Tag[] }>(settings, '/v1/tags?sort=count')).items;
}

/** Server capture: the instance fetches the URL itself. */
export function saveLink(settings: Settings, url: string, tags: string[]): Promise<Created> {
  return call<Created>(settings, '/v1/links', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ url, tags }),
  });
}

/** Uploaded capture: the page as this browser shows it (SingleFile HTML). */
export function uploadPage(settings: Settings, url: string, html: string, tags: string[]): Promise<Created> {
  const form = new FormData();
  form.set('url', url);
  for (const tag of tags) form.append('tags', tag);
  form.set('page', new Blob([html], { type: 'text/html' }), 'page.html');
  return call<Created>(settings, '/v1/links', { method: 'POST', body: form });
}

/** The web UI's page of a saved link. */
export function linkPage(settings: Settings, linkId: string): string {
  return `${settings.instance}/links/${linkId}`;
}

/** Follows GET /v1/jobs/{id}/events until its final state; resolves with the last state event. */
export async function watchJob(
  settings: Settings,
  jobId: string,
  onEvent: (event: JobEvent) => void,
): Promise<JobEvent> {
  const res = await fetch(`${settings.instance}/v1/jobs/${jobId}/events`, {
    headers: { authorization: `Bearer ${settings.apiKey}`, accept: 'text/event-stream' },
  });
  if (!res.ok || !res.body)
    throw new ApiError(res.status, 'HTTP_ERROR', `The job's event stream answered ${res.status}.`);
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  let last: JobEvent = { kind: 'state', state: 'queued' };
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return last;
    buffer += value;
    let end = buffer.indexOf('\n\n');
    while (end !== -1) {
      const event = parseEvent(buffer.slice(0, end));
      buffer = buffer.slice(end + 2);
      end = buffer.indexOf('\n\n');
      if (!event) continue;
      if (event.kind === 'state') last = event;
      onEvent(event);
    }
  }
}

function parseEvent(block: string): JobEvent | null {
  let name = '';
  let data = '';
  for (const line of block.split('\n')) {
    if (line.startsWith('event:')) name = line.slice(6).trim();
    else if (line.startsWith('data:')) data += line.slice(5).trim();
  }
  if (!data || (name !== 'state' && name !== 'progress')) return null;
  const body = JSON.parse(data);
  return name === 'progress'
    ? { kind: 'progress', stage: body.stage, percent: body.percent }
    : {
        kind: 'state',
        state: body.state,
        error: body.error,
        percent: body.progress?.percent,
        stage: body.progress?.stage,
      };
}
