/** A minimal Server-Sent Events reader over fetch, for tests (and the same parsing as the CLI). */
export interface SseEvent {
  event: string;
  data: string;
}

/** Reads the stream to its end (or until `timeoutMs`), returning events and comment lines. */
export async function readSse(
  url: string,
  token: string,
  timeoutMs = 60_000,
): Promise<{ status: number; contentType: string; events: SseEvent[]; comments: number; closed: boolean }> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  const res = await fetch(url, { headers: { authorization: `Bearer ${token}` }, signal: controller.signal });
  const contentType = res.headers.get('content-type') ?? '';
  const events: SseEvent[] = [];
  let comments = 0;
  let closed = false;
  if (!contentType.startsWith('text/event-stream') || !res.body) {
    clearTimeout(timer);
    return { status: res.status, contentType, events, comments, closed: true };
  }
  const decoder = new TextDecoder();
  let buffer = '';
  try {
    for await (const chunk of res.body) {
      buffer += decoder.decode(chunk as Uint8Array, { stream: true });
      let end = buffer.indexOf('\n\n');
      while (end >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        let event = 'message';
        const data: string[] = [];
        for (const line of block.split('\n')) {
          if (line.startsWith(':')) comments++;
          else if (line.startsWith('event: ')) event = line.slice(7);
          else if (line.startsWith('data: ')) data.push(line.slice(6));
        }
        if (data.length > 0) events.push({ event, data: data.join('\n') });
        end = buffer.indexOf('\n\n');
      }
    }
    closed = true;
  } catch {
    // aborted by the timeout
  } finally {
    clearTimeout(timer);
  }
  return { status: res.status, contentType, events, comments, closed };
}
