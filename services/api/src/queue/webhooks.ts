/**
 * The "webhooks" queue: one job per (snapshot, webhook), added by the results consumer after
 * the row is final (jobId makes a replay a no-op), delivered by a worker in the API process with
 * retries and exponential backoff. Each POST is signed: `X-LinkSnap-Signature: t=<unix>,v1=<hex>`
 * with v1 = HMAC-SHA256(secret, `${t}.${body}`). The target is re-checked by the egress guard
 * at every attempt and the connection goes to the exact address that passed the check.
 */
import { createHmac } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import {
  type Config,
  type Logger,
  type Resolver,
  redisOptions,
  type SnapshotResult,
  WEBHOOKS_QUEUE,
  type WebhookJob,
  webhookJobOptions,
  webhookJobSchema,
} from '@linksnap/shared';
import { type ConnectionOptions, Queue, UnrecoverableError, Worker } from 'bullmq';
import type { Db } from '../db/database.js';
import { WebhooksRepository } from '../db/webhooks.repository.js';
import { isChanged } from '../domain/change.js';
import type { ChangeOutcome } from '../domain/versions.service.js';
import { checkWebhookTarget, type WebhookEvent } from '../domain/webhooks.service.js';

export function signWebhook(secret: string, timestamp: number, body: string): string {
  return `t=${timestamp},v1=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

type WebhookConfig = Pick<
  Config,
  | 'REDIS_URL'
  | 'QUEUE_PREFIX'
  | 'EGRESS_ALLOW'
  | 'EGRESS_ALLOW_ONLY'
  | 'WEBHOOK_ATTEMPTS'
  | 'WEBHOOK_BACKOFF_MS'
  | 'WEBHOOK_TIMEOUT_MS'
>;

/** What a delivery says about a finished snapshot (no artifact contents, no text). */
function payloadOf(result: SnapshotResult): Record<string, unknown> {
  return {
    snapshot: {
      id: result.snapshotId,
      linkId: result.linkId,
      status: result.status,
      error: result.error,
      httpStatus: result.httpStatus,
      finalUrl: result.finalUrl,
      title: result.title,
      artifacts: result.artifacts.map((a) => a.kind),
      finishedAt: result.finishedAt,
    },
  };
}

/** Adds one delivery per subscribed webhook of the snapshot's owner. */
export class WebhookDispatcher {
  readonly queue: Queue<WebhookJob>;
  private readonly repository: WebhooksRepository;

  constructor(
    private readonly config: WebhookConfig,
    db: Db,
  ) {
    this.queue = new Queue<WebhookJob>(WEBHOOKS_QUEUE, {
      connection: redisOptions(config.REDIS_URL as string, { maxRetriesPerRequest: 1 }) as ConnectionOptions,
      prefix: config.QUEUE_PREFIX,
    });
    this.queue.on('error', () => {});
    this.repository = new WebhooksRepository(db);
  }

  async dispatch(result: SnapshotResult): Promise<void> {
    const event = `snapshot.${result.status}` as const;
    await this.add(event, result, result.snapshotId, payloadOf(result));
  }

  /**
   * `snapshot.changed` when a version differs from the previous good one; `link.dead` once per
   * dead spell (the job id carries the spell's start, so later gone captures add nothing).
   */
  async dispatchChange(outcome: ChangeOutcome): Promise<void> {
    const { change, deadAt } = outcome;
    if (!change) return;
    const base = { snapshotId: outcome.snapshotId, linkId: outcome.linkId, change };
    if (change.status !== 'gone' && isChanged(change)) {
      await this.add('snapshot.changed', outcome, `${outcome.snapshotId}-changed`, { ...base });
    }
    if (change.status === 'gone' && deadAt) {
      const payload = { ...base, deadAt: deadAt.toISOString() };
      await this.add('link.dead', outcome, `${outcome.linkId}-dead-${deadAt.getTime()}`, payload);
    }
  }

  /** One delivery per webhook of the link's owner subscribed to `event`; `key` names the event's occurrence. */
  private async add(
    event: WebhookEvent,
    about: { linkId: string; snapshotId: string },
    key: string,
    payload: Record<string, unknown>,
  ) {
    const hooks = (await this.repository.listByLink(about.linkId)).filter((h) => h.events.includes(event));
    for (const hook of hooks) {
      const job: WebhookJob = { webhookId: hook.id, event, snapshotId: about.snapshotId, payload };
      await this.queue.add(
        event,
        job,
        webhookJobOptions(`${key}-${hook.id}`, this.config.WEBHOOK_ATTEMPTS, this.config.WEBHOOK_BACKOFF_MS),
      );
    }
  }

  close(): Promise<void> {
    return this.queue.close();
  }
}

/** POSTs `body` to `url`, connecting to `address` (already egress-checked); resolves the status. */
function post(
  url: URL,
  address: { address: string; family: number },
  headers: Record<string, string>,
  body: string,
  timeoutMs: number,
) {
  const lookup: LookupFunction = (_host, options, callback) => {
    if ((options as { all?: boolean }).all)
      (callback as (e: null, a: { address: string; family: number }[]) => void)(null, [address]);
    else callback(null, address.address, address.family);
  };
  const client = url.protocol === 'https:' ? https : http;
  return new Promise<number>((resolve, reject) => {
    const req = client.request(
      url,
      {
        method: 'POST',
        headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
        lookup,
        timeout: timeoutMs,
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`timed out after ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end(body);
  });
}

export function startWebhookWorker(options: { config: WebhookConfig; db: Db; logger?: Logger; resolver?: Resolver }) {
  const { config, logger } = options;
  const repository = new WebhooksRepository(options.db);
  const worker = new Worker<WebhookJob>(
    WEBHOOKS_QUEUE,
    async (job) => {
      const parsed = webhookJobSchema.safeParse(job.data);
      if (!parsed.success) throw new UnrecoverableError('not a webhook job this version reads');
      const { webhookId, event, snapshotId, payload } = parsed.data;
      const hook = await repository.findById(webhookId);
      if (!hook) return 'webhook-deleted';
      const url = new URL(hook.url);
      let address: Awaited<ReturnType<typeof checkWebhookTarget>>;
      try {
        address = await checkWebhookTarget(url, {
          egressAllow: config.EGRESS_ALLOW,
          egressAllowOnly: config.EGRESS_ALLOW_ONLY,
          resolver: options.resolver,
        });
      } catch (err) {
        if ((err as { code?: string }).code === 'SSRF_BLOCKED')
          throw new UnrecoverableError(String((err as Error).message));
        throw err;
      }
      const timestamp = Math.floor(Date.now() / 1000);
      const body = JSON.stringify({
        id: job.id,
        event,
        createdAt: new Date(job.timestamp).toISOString(),
        data: payload,
      });
      const status = await post(
        url,
        address,
        {
          'content-type': 'application/json',
          'user-agent': 'LinkSnap-Webhooks/1',
          'x-linksnap-event': event,
          'x-linksnap-delivery': String(job.id),
          'x-linksnap-signature': signWebhook(hook.secret, timestamp, body),
        },
        body,
        config.WEBHOOK_TIMEOUT_MS,
      );
      if (status < 200 || status >= 300) throw new Error(`webhook answered HTTP ${status}`);
      logger?.info({ webhookId: hook.id, snapshotId, attempt: job.attemptsMade + 1 }, 'webhook delivered');
      return status;
    },
    {
      connection: redisOptions(config.REDIS_URL as string) as ConnectionOptions,
      prefix: config.QUEUE_PREFIX,
      concurrency: 8,
    },
  );
  worker.on('error', (err) => logger?.warn({ err }, 'webhook worker error'));
  worker.on('failed', (job, err) =>
    logger?.warn({ jobId: job?.id, attempts: job?.attemptsMade, err: err.message }, 'webhook delivery failed'),
  );
  return worker;
}
