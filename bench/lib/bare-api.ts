/**
 * The bare API baseline, run as its own process like the real API: a Fastify app with
 *   POST /links     → one INSERT into a minimal table (private temp schema) + one BullMQ add
 *   GET  /jobs/:id  → one BullMQ getJob
 * No auth, validation, idempotency or problem documents. Env: DATABASE_URL, REDIS_URL,
 * QUEUE_PREFIX, BENCH_SCHEMA, PORT. Drops its schema and obliterates its queue on SIGTERM.
 */
import { randomUUID } from 'node:crypto';
import { Queue } from 'bullmq';
import Fastify from 'fastify';
import postgres from 'postgres';

const schema = process.env.BENCH_SCHEMA as string;
if (!/^bench_[a-z0-9_]+$/.test(schema)) throw new Error('BENCH_SCHEMA must look like bench_xxx');
const sql = postgres(process.env.DATABASE_URL as string, { max: 10, onnotice: () => {} });
await sql.unsafe(`create schema if not exists ${schema}`);
await sql.unsafe(
  `create table ${schema}.links (id uuid primary key, url text not null, created_at timestamptz not null default now())`,
);
const url = new URL(process.env.REDIS_URL as string);
const queue = new Queue('snapshots', {
  connection: { host: url.hostname, port: Number(url.port || 6379), maxRetriesPerRequest: 1 },
  prefix: process.env.QUEUE_PREFIX as string,
});

const app = Fastify({ logger: false });
app.post('/links', async (request, reply) => {
  const body = request.body as { url: string };
  const id = randomUUID();
  await sql.unsafe(`insert into ${schema}.links (id, url) values ($1, $2)`, [id, body.url]);
  await queue.add('snapshots', { snapshotId: id, url: body.url }, { jobId: id, attempts: 3 });
  return reply.status(202).header('location', `/jobs/${id}`).send({ id, url: body.url });
});
app.get('/jobs/:id', async (request, reply) => {
  const job = await queue.getJob((request.params as { id: string }).id);
  if (!job) return reply.status(404).send({ error: 'not found' });
  return { id: job.id, progress: job.progress, attemptsMade: job.attemptsMade };
});
const address = await app.listen({ host: '127.0.0.1', port: Number(process.env.PORT ?? 0) });
process.stdout.write(`LISTENING ${address}\n`);

let stopping = false;
process.on('SIGTERM', async () => {
  if (stopping) return;
  stopping = true;
  setTimeout(() => process.exit(1), 15_000).unref();
  await app.close().catch(() => {});
  await queue.obliterate({ force: true }).catch(() => {});
  await queue.close().catch(() => {});
  await sql.unsafe(`drop schema if exists ${schema} cascade`).catch(() => {});
  await sql.end({ timeout: 5 }).catch(() => {});
  process.exit(0);
});
