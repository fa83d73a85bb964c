/**
 * Network quiet after the load event: the page's requests in flight are counted from before
 * navigation, so the wait knows whether anything is still loading. A page with requests in
 * flight (or starting some just after load) waits for `idleMs` of silence, within the bound;
 * a page whose network went still before load only waits `graceMs`, long enough to see what
 * load handlers and their short timers start. A static page thus costs the grace, where a
 * fixed idle window would cost its full length on every capture.
 */
import type { HTTPRequest, Page } from 'puppeteer-core';

export interface NetworkActivity {
  /** Requests started and neither finished nor failed. */
  inFlight(): number;
  /** When a request last started or ended (`performance.now()` clock). */
  lastActivity(): number;
  /** Requests started so far. */
  started(): number;
  /** Resolves at the next request start or end. */
  next(): Promise<void>;
  stop(): void;
}

export interface QuietOptions {
  /** Silence a busy page needs before it counts as quiet. */
  idleMs: number;
  /** Silence a page that was already still at load needs. */
  graceMs: number;
  /** Overall bound; reaching it is not an error. */
  timeoutMs: number;
}

/** `idle`: quiet after activity; `still`: nothing started within the grace; `timeout`: bound reached. */
export type QuietOutcome = 'idle' | 'still' | 'timeout';

/**
 * A request Chromium makes for itself rather than for the page, like the tab's icon (fetched
 * once per browser just after the first load): it never changes what is captured, and counting
 * it held that first capture for the whole idle window.
 */
function forItself(req: HTTPRequest): boolean {
  return req.resourceType() === 'other' && req.initiator()?.type === 'other' && !req.isNavigationRequest();
}

/** Starts counting the page's requests; call before navigating so the document is seen too. */
export function trackNetwork(page: Page): NetworkActivity {
  const pending = new Set<HTTPRequest>();
  let started = 0;
  let last = performance.now();
  let waiters: (() => void)[] = [];
  const changed = () => {
    last = performance.now();
    const wake = waiters;
    waiters = [];
    for (const resolve of wake) resolve();
  };
  const onStart = (req: HTTPRequest) => {
    if (forItself(req)) return;
    pending.add(req);
    started++;
    changed();
  };
  // A redirect ends its hop with `requestfinished` and starts the next with `request`.
  const onEnd = (req: HTTPRequest) => {
    if (pending.delete(req)) changed();
  };
  page.on('request', onStart);
  page.on('requestfinished', onEnd);
  page.on('requestfailed', onEnd);
  return {
    inFlight: () => pending.size,
    lastActivity: () => last,
    started: () => started,
    next: () => new Promise<void>((resolve) => waiters.push(resolve)),
    stop: () => {
      page.off('request', onStart);
      page.off('requestfinished', onEnd);
      page.off('requestfailed', onEnd);
      changed();
    },
  };
}

/** Waits for network quiet as described above; never rejects. */
export async function waitForQuiet(activity: NetworkActivity, options: QuietOptions): Promise<QuietOutcome> {
  const start = performance.now();
  const deadline = start + options.timeoutMs;
  const startedBefore = activity.started();
  // Still at load: only what starts from here on can make the page busy again.
  let busy = activity.inFlight() > 0;
  for (;;) {
    busy ||= activity.started() > startedBefore;
    const now = performance.now();
    // Busy: silence counts from the last request. Still: the grace counts from load (now the
    // start of this wait), however long ago the last request ended.
    const quietAt = busy ? activity.lastActivity() + options.idleMs : start + options.graceMs;
    if (activity.inFlight() === 0 && now >= quietAt) return busy ? 'idle' : 'still';
    if (now >= deadline) return 'timeout';
    // While requests are in flight only their end can change anything; otherwise the quiet
    // window ends by itself unless a request starts first.
    const until = activity.inFlight() > 0 ? deadline : Math.min(quietAt, deadline);
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      activity.next(),
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, Math.max(1, until - now));
      }),
    ]);
    clearTimeout(timer);
  }
}
