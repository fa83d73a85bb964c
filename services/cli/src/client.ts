/**
 * HTTP client of the CLI: the typed API client (@linksnap/api-client, generated from the API's
 * OpenAPI document) with bearer auth, problem+json errors turned into CliError (title +
 * detail), and a Server-Sent Events reader for GET /v1/jobs/{id}/events.
 */
import { type ApiClient, createApiClient } from '@linksnap/api-client';
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

/**
 * The body of a call that succeeded. Every failure already threw a CliError in `Client.send`,
 * so openapi-fetch's `error` branch never reaches here.
 */
export async function answer<T>(call: Promise<{ data?: T }>): Promise<T> {
  return (await call).data as T;
}

export class Client {
  /** Typed calls: `client.api.GET('/v1/links/{id}', { params: { path: { id } } })`. */
  readonly api: ApiClient;

  constructor(private readonly config: CliConfig) {
    this.api = createApiClient({ baseUrl: config.url, token: config.token, fetch: (request) => this.send(request) });
  }

  private async send(request: Request): Promise<Response> {
    let res: Response;
    try {
      res = await fetch(request);
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

  /** Calls `onEvent` for each event of a capture job until the server closes the stream. */
  async events(jobId: string, onEvent: (event: SseEvent) => void): Promise<void> {
    const stream = await answer(
      this.api.GET('/v1/jobs/{id}/events', {
        params: { path: { id: jobId } },
        headers: { accept: 'text/event-stream' },
        parseAs: 'stream',
      }),
    );
    if (!stream) return;
    const decoder = new TextDecoder();
    let buffer = '';
    for await (const chunk of stream) {
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
