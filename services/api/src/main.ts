/**
 * Starts the whole API in this process: database (with migrations), bucket, snapshot queue,
 * results consumer and the HTTP listener. Used by server.ts, the launcher and e2e tests.
 */
import type { AddressInfo } from 'node:net';
import { type Config, createLogger, type Logger, ObjectStorage, type Resolver } from '@linksnap/shared';
import type { FastifyInstance } from 'fastify';
import { buildApp } from './app.js';
import { type Database, openDatabase } from './db/database.js';
import { type ResultsConsumer, startResultsConsumer } from './queue/results-consumer.js';
import { SnapshotQueue } from './queue/snapshot-producer.js';

export interface ApiOptions {
  logger?: Logger;
  /** Run the results consumer in this process (default true). */
  consumeResults?: boolean;
  /** DNS resolver for the submit-time egress check (tests inject hostile answers). */
  resolver?: Resolver;
}

export interface Api {
  app: FastifyInstance;
  database: Database;
  storage: ObjectStorage;
  snapshotQueue: SnapshotQueue;
  consumer: ResultsConsumer | null;
  logger: Logger;
  /** Stops accepting requests, drains them, then closes consumer, queue and database. */
  close(): Promise<void>;
}

export interface RunningApi extends Api {
  url: string;
}

function requireExternalServices(config: Config): { redis: string; s3: string; accessKey: string; secretKey: string } {
  const missing = (['REDIS_URL', 'S3_ENDPOINT', 'S3_ACCESS_KEY', 'S3_SECRET_KEY'] as const).filter(
    (key) => config[key] === undefined,
  );
  if (missing.length > 0) {
    throw new Error(
      `The API needs ${missing.join(', ')}: set them, or start it through the launcher, which provides embedded Redis and S3.`,
    );
  }
  return {
    redis: config.REDIS_URL as string,
    s3: config.S3_ENDPOINT as string,
    accessKey: config.S3_ACCESS_KEY as string,
    secretKey: config.S3_SECRET_KEY as string,
  };
}

/** Everything but the listener: tests use `api.app.inject`. */
export async function createApi(config: Config, options: ApiOptions = {}): Promise<Api> {
  const services = requireExternalServices(config);
  const logger = options.logger ?? createLogger(config, 'api');
  const storage = new ObjectStorage({
    endpoint: services.s3,
    accessKey: services.accessKey,
    secretKey: services.secretKey,
    bucket: config.S3_BUCKET,
    region: config.S3_REGION,
  });
  await storage.ensureBucket();
  const database = await openDatabase(config, logger);
  const snapshotQueue = new SnapshotQueue(config);
  const consumer = options.consumeResults === false ? null : startResultsConsumer({ config, db: database.db, logger });
  const app = buildApp({ config, database, storage, snapshotQueue, logger, resolver: options.resolver });
  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= (async () => {
      await app.close();
      await consumer?.close();
      await snapshotQueue.close();
      await database.close();
    })();
    return closing;
  };
  return { app, database, storage, snapshotQueue, consumer, logger, close };
}

/** createApi, then listen on HOST:PORT and log the URL. */
export async function startApi(config: Config, options: ApiOptions = {}): Promise<RunningApi> {
  const api = await createApi(config, options);
  try {
    await api.app.listen({ host: config.HOST, port: config.PORT });
  } catch (err) {
    await api.close();
    throw err;
  }
  const address = api.app.server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `http://${host}:${address.port}`;
  api.logger.info({ url }, `api listening on ${url}`);
  return { ...api, url };
}
