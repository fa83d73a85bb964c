/**
 * Liveness (the process answers) and readiness (PostgreSQL, Redis and S3 answer within 2 s).
 * Readiness also lists the running snapshotters as they report themselves: information for an
 * operator (none running, one capturing without its ad lists), never a reason to answer 503,
 * since the API accepts links while no worker runs and they wait in the queue.
 */
import { AppError, type SnapshotterStatus, withTimeout } from '@linksnap/shared';
import { documented, healthView, readinessView } from './response.schemas.js';
import type { ZodApp } from './types.js';

export type ReadinessCheck = () => Promise<unknown>;

const CHECK_TIMEOUT_MS = 2_000;

async function runCheck(check: ReadinessCheck): Promise<'ok' | 'unavailable'> {
  try {
    await withTimeout(check(), CHECK_TIMEOUT_MS, 'readiness check');
    return 'ok';
  } catch {
    return 'unavailable';
  }
}

export function healthRoutes(
  app: ZodApp,
  checks: Record<string, ReadinessCheck>,
  snapshotters?: () => Promise<SnapshotterStatus[]>,
): void {
  // GET /healthz
  app.get(
    '/healthz',
    { schema: { security: [], response: { 200: documented(healthView, 'The process answers') } } },
    async () => ({
      status: 'ok' as const,
    }),
  );

  // GET /readyz
  app.get(
    '/readyz',
    {
      schema: {
        security: [],
        response: {
          200: documented(
            readinessView,
            'PostgreSQL, Redis and S3 answer (503 problem with `checks` otherwise); the running snapshotters',
          ),
        },
      },
    },
    async () => {
      const names = Object.keys(checks);
      const results = await Promise.all(names.map((name) => runCheck(checks[name] as ReadinessCheck)));
      const report: Record<string, 'ok' | 'unavailable'> = Object.fromEntries(
        names.map((name, i) => [name, results[i] as 'ok' | 'unavailable']),
      );
      if (results.some((r) => r !== 'ok')) {
        throw new AppError('SERVICE_UNAVAILABLE', 'A dependency is not reachable.', {
          retryAfter: 5,
          extensions: { checks: report },
        });
      }
      const workers = snapshotters ? await snapshotters().catch(() => undefined) : undefined;
      return { status: 'ok' as const, checks: report, ...(workers ? { snapshotters: workers } : {}) };
    },
  );
}
