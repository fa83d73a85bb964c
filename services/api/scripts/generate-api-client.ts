/**
 * Regenerates packages/api-client/src/schema.ts, the types of the typed API client, from the
 * OpenAPI document the API builds from its route schemas:
 *
 *   pnpm --filter @linksnap/api generate:client
 *
 * The app is built without any service: nothing listens and nothing is queried, the document
 * only needs the routes to be registered. services/api/test/openapi-clients.test.ts fails when
 * the committed file differs from what this writes.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { isEntryPoint, parseConfig, storageFromConfig } from '@linksnap/shared';
import { drizzle } from 'drizzle-orm/postgres-js';
import openapiTS, { astToString, type OpenAPI3 } from 'openapi-typescript';
import postgres from 'postgres';
import { buildApp } from '../src/app.js';
import { buildServices } from '../src/container.js';
import type { Database } from '../src/db/database.js';
import { SnapshotQueue } from '../src/queue/snapshot-producer.js';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
export const SCHEMA_FILE = path.join(repoRoot, 'packages/api-client/src/schema.ts');
export const REGENERATE_COMMAND = 'pnpm --filter @linksnap/api generate:client';

const HEADER = `/**
 * Generated from the API's OpenAPI document by openapi-typescript: do not edit.
 * Regenerate with \`${REGENERATE_COMMAND}\`; a test fails while this file is stale.
 */
`;

/** An address where nothing answers: the app is built, never asked to reach its dependencies. */
const NOWHERE = '127.0.0.1:9';

/** The document as GET /openapi.json serves it, from an app built without services. */
export async function openApiDocument(): Promise<OpenAPI3> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'linksnap-openapi-'));
  const config = parseConfig({
    REDIS_URL: `redis://${NOWHERE}`,
    S3_ENDPOINT: `http://${NOWHERE}`,
    S3_ACCESS_KEY: 'unused',
    S3_SECRET_KEY: 'unused',
    // The archive signing key is created here when missing; the document does not depend on it.
    DATA_DIR: dataDir,
  });
  const client = postgres(`postgres://${NOWHERE}/none`);
  const database = { db: drizzle(client), kind: 'postgres', close: () => client.end() } as unknown as Database;
  const snapshotQueue = new SnapshotQueue(config);
  const storage = storageFromConfig(config);
  const services = buildServices({
    config,
    database,
    storage,
    snapshotQueue,
    jwtSecret: new Uint8Array(32),
    resolver: async () => [],
  });
  const app = buildApp({ config, database, storage, snapshotQueue, services });
  try {
    await app.ready();
    return app.swagger() as OpenAPI3;
  } finally {
    await Promise.all([
      app.close(),
      snapshotQueue.close(100),
      services.recaptures.queue.close(),
      client.end({ timeout: 0 }),
    ]);
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** schema.ts for `document`, formatted as biome formats the rest of the repository. */
export async function renderClientSchema(document: OpenAPI3): Promise<string> {
  const source = HEADER + astToString(await openapiTS(document, { alphabetize: false }));
  const biome = path.join(repoRoot, 'node_modules/.bin/biome');
  const formatted = spawnSync(biome, ['format', `--stdin-file-path=${SCHEMA_FILE}`], {
    cwd: repoRoot,
    input: source,
    encoding: 'utf8',
  });
  if (formatted.status !== 0) throw new Error(`biome format failed: ${formatted.stderr}`);
  return formatted.stdout;
}

if (isEntryPoint(import.meta.url)) {
  writeFileSync(SCHEMA_FILE, await renderClientSchema(await openApiDocument()));
  process.stdout.write(`wrote ${path.relative(repoRoot, SCHEMA_FILE)}\n`);
  // The Redis clients of the never-connected queues keep reconnect timers alive for seconds.
  process.exit(0);
}
