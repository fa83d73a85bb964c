/**
 * The life of one job's Server-Sent Events stream (GET /v1/jobs/{id}/events), once the route
 * has checked ownership and written the headers: the current state, progress as the hub relays
 * it, the change events and the final state read from PostgreSQL, heartbeats, and one `finish`
 * that every ending (final state, client gone, job deleted, server closing) goes through.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isFinalState } from '@linksnap/shared';
import { isChanged } from '../domain/change.js';
import type { JobsService, JobView } from '../domain/jobs.service.js';
import type { JobEventsHub } from '../queue/job-events.js';

type Send = (event: string, data: unknown) => void;

export interface JobEventStream {
  jobs: JobsService;
  /** Opened on first use: a stream of a finished job needs no Redis subscription. */
  hub: () => JobEventsHub;
  userId: string;
  id: string;
  /** The job as read before the stream opened. */
  first: JobView;
  heartbeatMs: number;
  /** Safety net for a missed notification: the row is re-read this often. */
  pollMs: number;
  /** Streams open on this server: each registers its `finish` while it runs. */
  open: Set<() => void>;
}

export async function streamJobEvents(raw: ServerResponse, client: IncomingMessage, stream: JobEventStream) {
  const { jobs, userId, id, first } = stream;
  const send: Send = (event, data) => raw.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  if (isFinalState(first.state)) {
    sendChangeEvents(send, first);
    send('state', first);
    raw.end();
    return;
  }
  let done = false;
  let unsubscribe: (() => void) | undefined;
  const timers: NodeJS.Timeout[] = [];
  const finish = () => {
    if (done) return;
    done = true;
    stream.open.delete(finish);
    unsubscribe?.();
    for (const t of timers) clearInterval(t);
    raw.end();
  };
  const checkFinal = async () => {
    if (done) return;
    let view: JobView;
    try {
      view = await jobs.get(userId, id);
    } catch {
      return finish(); // deleted meanwhile
    }
    if (done || !isFinalState(view.state)) return;
    sendChangeEvents(send, view);
    send('state', view);
    finish();
  };
  stream.open.add(finish);
  client.on('close', finish);
  // Subscribe before re-reading, so a result landing in between is not missed.
  unsubscribe = await stream.hub().subscribe(id, (event) => {
    if (event.type === 'progress') send('progress', event.progress);
    else void checkFinal();
  });
  if (done) return unsubscribe();
  send('state', first);
  timers.push(setInterval(() => raw.write(': heartbeat\n\n'), stream.heartbeatMs));
  timers.push(setInterval(() => void checkFinal(), stream.pollMs));
  await checkFinal();
}

/** The change the final row carries (stored before the final announcement), as its own event. */
function sendChangeEvents(send: Send, view: JobView): void {
  const change = view.snapshot?.change;
  if (!view.snapshot || !change) return;
  const data = { snapshotId: view.snapshot.id, linkId: view.snapshot.linkId, change };
  if (change.status === 'gone') send('link.dead', data);
  else if (isChanged(change)) send('snapshot.changed', data);
}
