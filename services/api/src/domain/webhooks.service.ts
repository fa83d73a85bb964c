/**
 * Webhooks per user: a target URL (checked by the same egress guard as captures, so a private
 * address is SSRF_BLOCKED unless allow-listed) and the events it wants. The signing secret is
 * returned once, at creation.
 */
import { randomBytes } from 'node:crypto';
import { AppError, parseHttpUrl, type Resolver, resolveEgressTarget } from '@linksnap/shared';
import { isUuid } from '../db/errors.js';
import type { WebhookRow } from '../db/schema.js';
import type { WebhooksRepository } from '../db/webhooks.repository.js';

export const WEBHOOK_EVENTS = [
  'snapshot.succeeded',
  'snapshot.partial',
  'snapshot.failed',
  'snapshot.changed',
  'link.dead',
] as const;
export type WebhookEvent = (typeof WEBHOOK_EVENTS)[number];

export interface WebhookView {
  id: string;
  url: string;
  events: string[];
  createdAt: string;
}

export const toWebhookView = (row: WebhookRow): WebhookView => ({
  id: row.id,
  url: row.url,
  events: row.events,
  createdAt: row.createdAt.toISOString(),
});

export interface EgressCheck {
  egressAllow: readonly string[];
  egressAllowOnly?: boolean;
  resolver?: Resolver;
}

/** Resolves the target and refuses non-public addresses; returns the address to connect to. */
export async function checkWebhookTarget(url: URL, egress: EgressCheck) {
  const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
  return resolveEgressTarget(url.hostname, port, {
    allow: egress.egressAllow,
    allowOnly: egress.egressAllowOnly,
    resolver: egress.resolver,
  });
}

export class WebhooksService {
  constructor(
    private readonly repository: WebhooksRepository,
    private readonly egress: EgressCheck,
  ) {}

  async create(userId: string, input: { url: string; events?: WebhookEvent[] }) {
    const url = parseHttpUrl(input.url);
    await checkWebhookTarget(url, this.egress);
    const secret = `whsec_${randomBytes(32).toString('base64url')}`;
    const events = [...new Set(input.events ?? WEBHOOK_EVENTS)];
    const row = await this.repository.insert({ userId, url: url.href, events, secret });
    return { ...toWebhookView(row), secret };
  }

  async list(userId: string): Promise<WebhookView[]> {
    return (await this.repository.listByUser(userId)).map(toWebhookView);
  }

  async delete(userId: string, id: string): Promise<void> {
    if (!isUuid(id) || !(await this.repository.delete(userId, id))) {
      throw new AppError('NOT_FOUND', 'No such webhook.');
    }
  }
}
