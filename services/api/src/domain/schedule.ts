/**
 * Re-capture schedules: `daily`, `weekly`, `monthly` or a cron expression. A named schedule
 * becomes a cron pattern whose minute, hour and day come from a hash of the link or tag id,
 * so a thousand links saved at once spread over the day (jitter) and each keeps a stable time.
 */
import { createHash } from 'node:crypto';
import { AppError } from '@linksnap/shared';
import { CronExpressionParser } from 'cron-parser';

export const NAMED_SCHEDULES = ['daily', 'weekly', 'monthly'] as const;
type Named = (typeof NAMED_SCHEDULES)[number];

/** Occurrences looked at to find the shortest gap of a cron expression. */
const GAP_SAMPLES = 60;

function isNamed(every: string): every is Named {
  return (NAMED_SCHEDULES as readonly string[]).includes(every);
}

/** The cron pattern a schedule runs on for `ownerId` (a link or tag id). */
export function patternOf(every: string, ownerId: string): string {
  if (!isNamed(every)) return every.trim();
  const seed = createHash('sha256').update(ownerId).digest();
  const minute = (seed[0] as number) % 60;
  const hour = (seed[1] as number) % 24;
  if (every === 'daily') return `${minute} ${hour} * * *`;
  if (every === 'weekly') return `${minute} ${hour} * * ${(seed[2] as number) % 7}`;
  return `${minute} ${hour} ${((seed[2] as number) % 28) + 1} * *`;
}

/** The next `count` times of a pattern after `from`; VALIDATION_FAILED with the parser's reason. */
export function nextTimes(pattern: string, count: number, from = new Date()): Date[] {
  let expression: ReturnType<typeof CronExpressionParser.parse>;
  try {
    expression = CronExpressionParser.parse(pattern, { currentDate: from, tz: 'UTC', strict: false });
  } catch (err) {
    throw invalid(`"${pattern}" is not a cron expression: ${(err as Error).message}`);
  }
  const times: Date[] = [];
  while (times.length < count && expression.hasNext()) times.push(expression.next().toDate());
  return times;
}

/**
 * Checks a schedule and returns its canonical form: a named one as is, a cron expression
 * trimmed. Refuses what does not parse, never fires, or fires more often than `minIntervalMs`.
 */
export function checkSchedule(every: string, minIntervalMs: number): string {
  const value = every.trim();
  if (isNamed(value)) {
    if (minIntervalMs > 24 * 3_600_000 && value === 'daily') throw tooOften(value, minIntervalMs);
    return value;
  }
  const fields = value.split(/\s+/).length;
  if (fields < 5 || fields > 6)
    throw invalid(`"${value}" is not a cron expression: it needs 5 fields (or 6 with seconds)`);
  const times = nextTimes(value, GAP_SAMPLES);
  if (times.length === 0) throw invalid(`"${value}" never fires`);
  for (let i = 1; i < times.length; i++) {
    if ((times[i] as Date).getTime() - (times[i - 1] as Date).getTime() < minIntervalMs)
      throw tooOften(value, minIntervalMs);
  }
  return value;
}

function invalid(detail: string): AppError {
  return new AppError('VALIDATION_FAILED', detail, { errors: [{ pointer: '/every', detail }] });
}

function tooOften(value: string, minIntervalMs: number): AppError {
  const minutes = Math.round(minIntervalMs / 60_000);
  return invalid(`"${value}" fires more often than the shortest interval allowed (${minutes} min).`);
}
