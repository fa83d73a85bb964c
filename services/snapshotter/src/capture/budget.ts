/** The capture's time budget: one deadline for the whole job, shared out between stages. */
import { AppError, withTimeout } from '@linksnap/shared';

export interface Budget {
  /** Milliseconds left before the job's deadline (never negative). */
  remaining(): number;
}

export function createBudget(totalMs: number): Budget {
  const end = Date.now() + totalMs;
  return { remaining: () => Math.max(0, end - Date.now()) };
}

/** Rejects with NAVIGATION_TIMEOUT when `work` takes longer than `ms`. */
export function withStageTimeout<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  return withTimeout(work, ms, () => new AppError('NAVIGATION_TIMEOUT', `${what} did not finish within ${ms} ms.`));
}
