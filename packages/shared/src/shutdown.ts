/**
 * Stopping that always finishes: every step of a shutdown gets a time budget (a dependency that
 * died first must not hold the process: a Redis client waiting to reconnect never resolves), and
 * a second stop signal exits at once. Shared by the API, the snapshotter and `npm start`.
 */
import type { Logger } from './logger.js';

/**
 * A group signal and a supervisor's forward of it (npm, scripts/start.mjs) reach a process
 * within milliseconds of each other: they are one request to stop. Only a signal this long
 * after the first is a person asking again.
 */
export const REPEAT_SIGNAL_MS = 1_000;

/** Waits for `work` at most `ms`; a step that throws or overruns is logged, never rethrown. */
export async function bounded(
  step: string,
  work: () => Promise<unknown>,
  ms: number,
  logger?: Logger,
): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const overrun = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), ms);
  });
  try {
    const outcome = await Promise.race([work().then(() => 'done' as const), overrun]);
    if (outcome === 'timeout') logger?.warn({ step, ms }, 'shutdown step overran its budget; moving on');
    return outcome === 'done';
  } catch (err) {
    logger?.warn({ step, err }, 'shutdown step failed; moving on');
    return false;
  } finally {
    clearTimeout(timer);
  }
}

export interface StopSignalOptions {
  logger?: Logger;
  /** Hard limit of the whole stop; past it the process exits 1. */
  budgetMs: number;
  /** Runs synchronously before a forced exit (kill child processes). */
  onForce?: () => void;
}

/**
 * SIGTERM/SIGINT run `stop` once, then exit 0 (1 if it failed). A repeated signal, or the
 * budget running out, exits at once.
 */
export function handleStopSignals(stop: () => Promise<void>, options: StopSignalOptions): void {
  let firstAt = 0;
  const force = (why: string) => {
    options.logger?.error({ why }, 'stopping at once');
    options.onForce?.();
    process.exit(1);
  };
  const onSignal = (signal: NodeJS.Signals) => {
    if (firstAt > 0) {
      if (Date.now() - firstAt >= REPEAT_SIGNAL_MS) force(`second ${signal}`);
      return;
    }
    firstAt = Date.now();
    options.logger?.info({ signal }, 'stopping');
    setTimeout(() => force('stop budget exceeded'), options.budgetMs).unref();
    stop().then(
      () => process.exit(0),
      (err: unknown) => {
        options.logger?.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}

/** The part of a BullMQ Worker or Queue a shutdown uses. */
interface Closable {
  close(force?: boolean): Promise<void>;
  disconnect(): Promise<void>;
}

/**
 * Closes a BullMQ worker or queue within `ms`. When Redis is gone, `close()` waits for a
 * reconnection that may never come; then the connection is dropped, which also ends ioredis'
 * reconnect loop (no more "ECONNREFUSED" every two seconds).
 */
export async function closeQueueClient(step: string, client: Closable, ms: number, logger?: Logger): Promise<void> {
  if (await bounded(step, () => client.close(), ms, logger)) return;
  void client.close(true).catch(() => undefined);
  await bounded(`${step} (disconnect)`, () => client.disconnect(), 500, logger);
}
