/**
 * Applies capture concurrency to the BullMQ worker: fixed when CAPTURE_CONCURRENCY is set,
 * otherwise adjusted every CAPTURE_CONCURRENCY_INTERVAL_MS by the AIMD rule (aimd.ts) from
 * real load samples (load-sampler.ts), between CAPTURE_CONCURRENCY_MIN and _MAX. Lowering the
 * limit never interrupts a capture: the worker just takes no new job until it is under it.
 */
import type { Config, Logger } from '@linksnap/shared';
import { type AimdDecision, type AimdSettings, DEFAULT_AIMD, decide, type LoadSample } from './aimd.js';
import { type LoadSampler, startLoadSampler } from './load-sampler.js';

type ConcurrencyConfig = Pick<
  Config,
  | 'CAPTURE_CONCURRENCY'
  | 'CAPTURE_CONCURRENCY_MIN'
  | 'CAPTURE_CONCURRENCY_MAX'
  | 'CAPTURE_CONCURRENCY_INTERVAL_MS'
  | 'CAPTURE_CONTEXT_MEMORY_MB'
>;

/** What the controller steers: BullMQ's Worker has a settable `concurrency`. */
export interface ConcurrencyTarget {
  concurrency: number;
}

export interface ConcurrencyControl {
  readonly adaptive: boolean;
  /** The limit in force now. */
  current(): number;
  /** The most a browser pool must be able to run at once. */
  readonly max: number;
  /** Wrap the job processor with this, so the controller knows whether every slot is busy. */
  track<A extends unknown[], R>(processor: (...args: A) => Promise<R>): (...args: A) => Promise<R>;
  /** Attach the worker (created with `concurrency: current()`) and start adjusting. */
  attach(target: ConcurrencyTarget): void;
  /** One adjustment from `sample` (the timer's step; tests call it with explicit samples). */
  step(sample: LoadSample): AimdDecision;
  stop(): void;
}

/** The AIMD bounds and thresholds from config. */
export function aimdSettings(config: ConcurrencyConfig): AimdSettings {
  const min = Math.min(config.CAPTURE_CONCURRENCY_MIN, config.CAPTURE_CONCURRENCY_MAX);
  return {
    ...DEFAULT_AIMD,
    min,
    max: config.CAPTURE_CONCURRENCY_MAX,
    contextBytes: config.CAPTURE_CONTEXT_MEMORY_MB * 1024 * 1024,
  };
}

export function createConcurrencyControl(
  config: ConcurrencyConfig,
  options: { logger?: Logger; sampler?: LoadSampler } = {},
): ConcurrencyControl {
  const fixed = config.CAPTURE_CONCURRENCY;
  const settings = aimdSettings(config);
  let current = fixed ?? settings.min;
  let active = 0;
  // Whether every slot was busy at some point of the window (not only at its end).
  let saturated = false;
  let target: ConcurrencyTarget | undefined;
  let timer: NodeJS.Timeout | undefined;
  let sampler: LoadSampler | undefined;

  const step = (sample: LoadSample): AimdDecision => {
    if (fixed !== undefined) return { next: fixed, reason: 'fixed' };
    const decision = decide(current, sample, saturated || active >= current, settings);
    saturated = active >= decision.next;
    if (decision.next !== current) {
      options.logger?.debug(
        { from: current, to: decision.next, reason: decision.reason, sample },
        'capture concurrency',
      );
      current = decision.next;
      if (target) target.concurrency = current;
    }
    return decision;
  };

  return {
    adaptive: fixed === undefined,
    current: () => current,
    max: fixed ?? settings.max,
    track:
      (processor) =>
      async (...args) => {
        active++;
        if (active >= current) saturated = true;
        try {
          return await processor(...args);
        } finally {
          active--;
        }
      },
    attach(worker) {
      target = worker;
      worker.concurrency = current;
      if (fixed !== undefined) return;
      sampler = options.sampler ?? startLoadSampler();
      const source = sampler;
      timer = setInterval(() => step(source.sample()), config.CAPTURE_CONCURRENCY_INTERVAL_MS);
      timer.unref();
    },
    step,
    stop() {
      clearInterval(timer);
      sampler?.stop();
    },
  };
}
