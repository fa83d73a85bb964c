/**
 * HTTP client of the CLI: bearer auth, problem+json errors turned into CliError (title +
 * detail), and a Server-Sent Events reader for GET /v1/jobs/{id}/events.
 */
import type { CliConfig } from './config-store.js';

export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
    readonly problem?: Record<string, unknown>,
  ) {
    super(message);
  }
}

export interface SseEvent {
  event: string;
  data: string;
}

export class Client {
  constructor(private readonly config: CliConfig) {}

  private async fetch(pathname: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    if (this.config.token) headers.set('authorization', `Bearer ${this.config.token}`);
    let res: Response;
    try {
      res = await fetch(`${this.config.url}${pathname}`, { ...init, headers });
    } catch (err) {
      throw new CliError(`cannot reach ${this.config.url}: ${(err as Error).message}`, 3);
    }
    if (res.ok) return res;
    const type = res.headers.get('content-type') ?? '';
    if (type.includes('json')) {
      const problem = (await res.json()) as Record<string, unknown>;
      const title = String(problem.title ?? res.statusText);
      const detail = problem.detail ? `: ${problem.detail}` : '';
      const hint = res.status === 401 ? ' (run `snap login`, or set LINKSNAP_TOKEN)' : '';
      throw new CliError(`${title}${detail}${hint}`, 1, problem);
    }
    throw new CliError(`HTTP ${res.status} ${res.statusText}`);
  }

  async json<T = Record<string, unknown>>(method: string, pathname: string, body?: unknown): Promise<T> {
    const res = await this.fetch(pathname, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return (res.status === 204 ? {} : await res.json()) as T;
  }

  async raw(method: string, pathname: string, body?: string, contentType?: string): Promise<Response> {
    return this.fetch(pathname, { method, body, headers: contentType ? { 'content-type': contentType } : {} });
  }

  /** Calls `onEvent` for each event until the server closes the stream. */
  async events(pathname: string, onEvent: (event: SseEvent) => void): Promise<void> {
    const res = await this.fetch(pathname, { headers: { accept: 'text/event-stream' } });
    if (!res.body) return;
    const decoder = new TextDecoder();
    let buffer = '';
    for await (const chunk of res.body) {
      buffer += decoder.decode(chunk as Uint8Array, { stream: true });
      for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        let event = 'message';
        const data: string[] = [];
        for (const line of block.split('\n')) {
          if (line.startsWith('event: ')) event = line.slice(7);
          else if (line.startsWith('data: ')) data.push(line.slice(6));
        }
        if (data.length > 0) onEvent({ event, data: data.join('\n') });
      }
    }
  }
}
