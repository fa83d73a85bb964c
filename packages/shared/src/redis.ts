/**
 * Redis connection options for BullMQ, from REDIS_URL. BullMQ wants
 * `maxRetriesPerRequest: null` on worker connections so they wait out an outage.
 */

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
