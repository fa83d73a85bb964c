/**
 * Connection settings of the real services tests use, and per-test isolation helpers:
 * every test gets its own queue prefix, bucket and user, so tests can run side by side.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type EmbeddedS3, startEmbeddedS3 } from '@linksnap/api/embedded/s3-server';

/** The machine's PostgreSQL; `TEST_DATABASE_URL` points a checkout at a database of its own. */
export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
export const TEST_REDIS_URL = 'redis://127.0.0.1:6379';

export function uniqueName(prefix: string): string {
  return `${prefix}-${randomUUID().slice(0, 8)}`;
}

const tempDirs: string[] = [];

/**
 * A directory of its own in the temp dir, removed when this test file's process exits (a CI
 * run made about 600 MB of them: services' data, S3 objects, PGlite copies).
 */
export function tempDir(prefix = 'linksnap-test-'): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  if (tempDirs.length === 0) {
    process.once('exit', () => {
      for (const made of tempDirs) rmSync(made, { recursive: true, force: true, maxRetries: 2 });
    });
  }
  tempDirs.push(dir);
  return dir;
}

/** One embedded S3 server per test file (cheap: ~20 ms), with its data in a temp dir. */
export async function startTestS3(): Promise<EmbeddedS3> {
  return startEmbeddedS3({ directory: path.join(tempDir('linksnap-s3-'), 's3') });
}

export interface TestEnvOptions {
  s3: EmbeddedS3;
  /** `host:port` entries for EGRESS_ALLOW (the fixture server). */
  allow?: string[];
  /** Unset → real PostgreSQL; `null` → embedded PGlite in dataDir. */
  databaseUrl?: string | null;
  dataDir?: string;
  extra?: Record<string, string>;
}

/** Environment for one test's API/snapshotter processes, isolated by prefix and bucket. */
export function testEnv(options: TestEnvOptions): Record<string, string> {
  const env: Record<string, string> = {
    NODE_ENV: 'test',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'warn',
    HOST: '127.0.0.1',
    PORT: '0',
    DATA_DIR: options.dataDir ?? tempDir('linksnap-data-'),
    REDIS_URL: TEST_REDIS_URL,
    QUEUE_PREFIX: uniqueName('test').replace(/-/g, '_'),
    S3_ENDPOINT: options.s3.endpoint,
    S3_ACCESS_KEY: options.s3.accessKey,
    S3_SECRET_KEY: options.s3.secretKey,
    S3_BUCKET: uniqueName('bucket'),
    JWT_SECRET: 'test-secret-test-secret-test-secret-0123456789',
    EGRESS_ALLOW: (options.allow ?? []).join(','),
    // Nothing but the fixture may be reached, public addresses included: no test traffic leaves.
    EGRESS_ALLOW_ONLY: 'true',
    CAPTURE_BACKOFF_MS: '200',
    // Several snapshotters share one host in tests: metrics only where a test asks for a port.
    SNAPSHOTTER_METRICS_PORT: '0',
    // The test database is shared by every test: a reconciler would re-enqueue other tests'
    // rows into this test's queues. Tests that need it enable it on a private database.
    RECONCILE_INTERVAL_MS: '0',
    // Tests sign up a user each from one address; the sign-up limit has its own test.
    SIGNUP_RATE_LIMIT_PER_IP: '1000000',
    ...options.extra,
  };
  if (options.databaseUrl !== null) env.DATABASE_URL = options.databaseUrl ?? TEST_DATABASE_URL;
  return env;
}

/**
 * A resolver that answers no name, so a test never sends a DNS query: in-process services get
 * it where they would otherwise use the system resolver.
 */
export const noDnsResolver = async (name: string): Promise<never> => {
  throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${name} (tests resolve no names)`), { code: 'ENOTFOUND' });
};

/** TEST_DATABASE_URL reached through another port (a TCP proxy a test can cut). */
export function testDatabaseVia(port: number): string {
  const url = new URL(TEST_DATABASE_URL);
  url.port = String(port);
  return url.href;
}
