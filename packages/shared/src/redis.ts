/**
 * Redis connection options for BullMQ, from REDIS_URL. BullMQ wants
 * `maxRetriesPerRequest: null` on worker connections so they wait out an outage.
 */
import { withTimeout } from './timeout.js';

/** The ioredis options we set; a plain shape so it fits both ioredis' and BullMQ's types. */
export interface RedisConnectionOptions {
  host: string;
  port: number;
  username?: string;
  password?: string;
  db: number;
  tls?: Record<string, never>;
  maxRetriesPerRequest: number | null;
  enableOfflineQueue?: boolean;
  connectTimeout?: number;
  retryStrategy: (times: number) => number;
}

export function redisOptions(
  redisUrl: string,
  overrides: Partial<RedisConnectionOptions> = {},
): RedisConnectionOptions {
  const url = new URL(redisUrl);
  const db = url.pathname.length > 1 ? Number(url.pathname.slice(1)) : 0;
  return {
    host: url.hostname.replace(/^\[|\]$/g, ''),
    port: url.port ? Number(url.port) : 6379,
    username: url.username ? decodeURIComponent(url.username) : undefined,
    password: url.password ? decodeURIComponent(url.password) : undefined,
    db: Number.isInteger(db) ? db : 0,
    tls: url.protocol === 'rediss:' ? {} : undefined,
    maxRetriesPerRequest: null,
    // Reconnect forever with a capped delay: workers must come back by themselves.
    retryStrategy: (times) => Math.min(times * 200, 2_000),
    ...overrides,
  };
}

/** What to do about the Redis server's eviction policy (BullMQ loses jobs under eviction). */
export type EvictionPolicyDecision =
  | { action: 'ok'; policy: string }
  | { action: 'warn'; policy: string | null; message: string }
  | { action: 'refuse'; policy: string; message: string };

/**
 * Decides from `CONFIG GET maxmemory-policy`'s answer (`null` when CONFIG is disabled or
 * failed): `noeviction` is fine; anything else is a loud warning, and a refusal to start in
 * production. An unknown policy (managed Redis without CONFIG) is only a warning.
 */
export function decideEvictionPolicy(policy: string | null, nodeEnv: string): EvictionPolicyDecision {
  if (policy === null) {
    return {
      action: 'warn',
      policy,
      message:
        'Could not read Redis maxmemory-policy (CONFIG GET is disabled?): make sure it is "noeviction", or queued jobs may be evicted.',
    };
  }
  if (policy === 'noeviction') return { action: 'ok', policy };
  const message = `Redis maxmemory-policy is "${policy}": BullMQ needs "noeviction", otherwise Redis may silently drop jobs under memory pressure. Set "maxmemory-policy noeviction".`;
  return nodeEnv === 'production' ? { action: 'refuse', policy, message } : { action: 'warn', policy, message };
}

/** The part of an ioredis client the check needs. */
export interface RedisConfigClient {
  config(subcommand: 'GET', parameter: string): Promise<unknown>;
}

/**
 * Reads the policy (tolerating servers where CONFIG is disabled), logs a warning and throws
 * when the process must not start.
 */
export async function checkEvictionPolicy(
  client: RedisConfigClient,
  nodeEnv: string,
  logger?: { warn(obj: object, msg: string): void },
  timeoutMs = 5_000,
): Promise<EvictionPolicyDecision> {
  let policy: string | null = null;
  try {
    const answer = await withTimeout(client.config('GET', 'maxmemory-policy'), timeoutMs, 'CONFIG GET');
    if (Array.isArray(answer) && typeof answer[1] === 'string') policy = answer[1];
  } catch {
    policy = null;
  }
  const decision = decideEvictionPolicy(policy, nodeEnv);
  if (decision.action !== 'ok') logger?.warn({ policy: decision.policy }, `!!! ${decision.message}`);
  if (decision.action === 'refuse') throw new Error(decision.message);
  return decision;
}
