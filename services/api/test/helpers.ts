/**
 * Test harness: a real API (PostgreSQL or PGlite, Redis, embedded S3) built in-process on a
 * queue prefix and bucket of its own, plus helpers to create users. Nothing is ever truncated:
 * every test isolates itself with fresh users.
 */
import { randomUUID } from 'node:crypto';
import {
  type Config,
  parseConfig,
  RESULTS_QUEUE,
  type Resolver,
  redisOptions,
  resultJobOptions,
  SNAPSHOTS_QUEUE,
  type SnapshotResultInput,
} from '@linksnap/shared';
import { Queue } from 'bullmq';
import type { LightMyRequestResponse } from 'fastify';
import { seedPgliteDataDir } from '../../../test/support/pglite-template.js';
import { noDnsResolver, startTestS3, type TestEnvOptions, testEnv } from '../../../test/support/services.js';
import { type Api, createApi } from '../src/main.js';
import type { RECAPTURE_QUEUE } from '../src/queue/recapture-scheduler.js';

export interface Harness {
  api: Api;
  config: Config;
  queue(name: typeof SNAPSHOTS_QUEUE | typeof RESULTS_QUEUE | typeof RECAPTURE_QUEUE): Queue;
  signup(): Promise<{ token: string; userId: string; email: string }>;
  /** Sends a result message as a worker would, and waits until the consumer made the row final. */
  deliverResult(result: SnapshotResultInput): Promise<void>;
  close(): Promise<void>;
}

/** A succeeded capture's result message (what a worker sends), with `overrides` applied. */
export function succeededResult(
  snapshotId: string,
  linkId: string,
  overrides: Partial<SnapshotResultInput> = {},
): SnapshotResultInput {
  const now = new Date().toISOString();
  return {
    snapshotId,
    linkId,
    status: 'succeeded',
    attempts: 1,
    error: null,
    finalUrl: 'http://8.8.8.8/final',
    httpStatus: 200,
    contentType: 'text/html',
    title: 'Captured',
    lang: 'en',
    text: 'Hello world',
    timings: {},
    artifacts: [],
    missing: [],
    startedAt: now,
    finishedAt: now,
    worker: 'test',
    ...overrides,
  };
}

export async function startHarness(
  options: Partial<TestEnvOptions> & {
    resolver?: Resolver;
    archiveListener?: boolean;
    /** On PGlite, start from an empty data directory instead of a copy of the migrated template. */
    freshPglite?: boolean;
  } = {},
): Promise<Harness> {
  const s3 = await startTestS3();
  const { resolver, archiveListener, freshPglite, ...envOptions } = options;
  // No snapshotter runs here, so submitted public URLs are never fetched: the submit-time
  // check may see them (EGRESS_ALLOW_ONLY off), but no name is ever really resolved.
  const config = parseConfig(
    testEnv({ s3, ...envOptions, extra: { EGRESS_ALLOW_ONLY: 'false', ...envOptions.extra } }),
  );
  let api: Api;
  try {
    if (config.DATABASE_URL === undefined && !freshPglite) await seedPgliteDataDir(config.DATA_DIR);
    api = await createApi(config, { resolver: resolver ?? noDnsResolver, archiveListener });
  } catch (err) {
    // A failed start would otherwise leave the S3 server holding the test file's process open.
    await s3.close();
    throw err;
  }
  const queues: Queue[] = [];
  const queue = (name: string) => {
    const q = new Queue(name, { connection: redisOptions(config.REDIS_URL as string), prefix: config.QUEUE_PREFIX });
    queues.push(q);
    return q;
  };
  return {
    api,
    config,
    queue,
    async signup() {
      const email = `user-${randomUUID()}@example.test`;
      const res = await api.app.inject({
        method: 'POST',
        url: '/v1/auth/signup',
        payload: { email, password: 'correct horse battery' },
      });
      if (res.statusCode !== 201) throw new Error(`signup failed: ${res.statusCode} ${res.body}`);
      const body = res.json();
      return { token: body.token, userId: body.user.id, email };
    },
    async deliverResult(result) {
      await queue(RESULTS_QUEUE).add(result.snapshotId, result, resultJobOptions(result.snapshotId));
      for (let i = 0; i < 200; i++) {
        const row = await api.database.db.query.snapshots.findFirst({
          where: (s, { eq }) => eq(s.id, result.snapshotId),
        });
        if (row && row.status !== 'queued' && row.status !== 'active') return;
        await new Promise((r) => setTimeout(r, 50));
      }
      throw new Error(`result for ${result.snapshotId} not applied within 10 s`);
    },
    async close() {
      await api.close();
      for (const name of [SNAPSHOTS_QUEUE, RESULTS_QUEUE]) {
        const q = queue(name);
        await q.obliterate({ force: true }).catch(() => {});
      }
      await Promise.all(queues.map((q) => q.close()));
      await s3.close();
    },
  };
}

export function bearer(token: string): Record<string, string> {
  return { authorization: `Bearer ${token}` };
}

export function isProblem(res: LightMyRequestResponse): boolean {
  return String(res.headers['content-type']).startsWith('application/problem+json');
}
