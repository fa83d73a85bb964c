/**
 * The arithmetic of adaptive capture concurrency: additive increase, multiplicative decrease
 * (AIMD), decided from one load sample at a time. Capture is partly I/O-bound (navigation
 * timers, dead subresources, uploads), so a fixed number of pages at once leaves CPU idle on
 * one machine and overloads another. Pressure on any signal (little CPU idle, a lagging event
 * loop, too little memory for another browser context) cuts the number at once; headroom on
 * all of them, while every slot is busy, adds one. Pure: the caller feeds samples
 * (load-sampler.ts) and applies the result (controller.ts).
 */

export interface LoadSample {
  /** Share of the machine's CPU time idle since the previous sample, 0–1 (every core). */
  cpuIdle: number;
  /** This process's event-loop delay over the window (its maximum, ms). */
  lagMs: number;
  /** Memory the machine can still give without swapping (MemAvailable), bytes. */
  availableBytes: number;
}

export interface AimdSettings {
  min: number;
  max: number;
  /** Raise only while at least this share of CPU is idle… */
  raiseIdle: number;
  /** …and cut below this share. */
  cutIdle: number;
  /** Cut when the event loop lags more than this (ms); raise only below half of it. */
  lagMs: number;
  /** Memory one more browser context may need; kept free before adding one, cut below. */
  contextBytes: number;
  /** Multiplicative decrease factor. */
  decrease: number;
}

export const DEFAULT_AIMD: Omit<AimdSettings, 'min' | 'max' | 'contextBytes'> = {
  raiseIdle: 0.2,
  cutIdle: 0.05,
  lagMs: 200,
  decrease: 0.5,
};

export type AimdReason = 'memory' | 'lag' | 'cpu' | 'headroom' | 'no-demand' | 'steady' | 'bound' | 'fixed';

export interface AimdDecision {
  next: number;
  reason: AimdReason;
}

/** The pressure that forces a cut, if any; memory first (running out of it kills browsers). */
function pressure(sample: LoadSample, s: AimdSettings): AimdReason | null {
  if (sample.availableBytes < s.contextBytes) return 'memory';
  if (sample.lagMs > s.lagMs) return 'lag';
  if (sample.cpuIdle < s.cutIdle) return 'cpu';
  return null;
}

function headroom(sample: LoadSample, s: AimdSettings): boolean {
  return sample.cpuIdle >= s.raiseIdle && sample.lagMs <= s.lagMs / 2 && sample.availableBytes >= 2 * s.contextBytes;
}

/**
 * The next concurrency. `saturated`: every current slot had a job during the window (raising
 * the limit of a worker that is not using it would only let a later burst overshoot).
 */
export function decide(current: number, sample: LoadSample, saturated: boolean, s: AimdSettings): AimdDecision {
  const cause = pressure(sample, s);
  if (cause) {
    const next = Math.max(s.min, Math.floor(current * s.decrease));
    return { next, reason: next === current ? 'bound' : cause };
  }
  if (!headroom(sample, s)) return { next: current, reason: 'steady' };
  if (!saturated) return { next: current, reason: 'no-demand' };
  if (current >= s.max) return { next: s.max, reason: 'bound' };
  return { next: current + 1, reason: 'headroom' };
}
