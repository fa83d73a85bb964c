/**
 * The one configuration schema. Every process parses its environment here once, at start;
 * a bad value stops start-up with a message naming the key. Nothing else reads process.env.
 */
import path from 'node:path';
import { z } from 'zod';
import { CAPTURE_FORMATS, CAPTURE_MODES, type CaptureFormat } from './jobs.js';

const int = (def: number, min: number, max: number) => z.coerce.number().int().min(min).max(max).default(def);

const flag = (def: boolean) =>
  z
    .enum(['true', 'false', '1', '0'])
    .default(def ? 'true' : 'false')
    .transform((v) => v === 'true' || v === '1');
const optionalString = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v.trim()));

const optionalUrl = (protocols: string[]) =>
  optionalString.refine(
    (v) => {
      if (v === undefined) return true;
      try {
        return protocols.includes(new URL(v).protocol);
      } catch {
        return false;
      }
    },
    { message: `must be a URL with scheme ${protocols.join(' or ')}` },
  );

const DURATION_UNITS_MS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** A duration in milliseconds, written as seconds (`3600`) or with a unit (`90s`, `5m`, `1h`, `1d`). */
const duration = (def: string) =>
  z
    .string()
    .default(def)
    .transform((v, ctx) => {
      const m = /^\s*(\d+)\s*([smhd]?)\s*$/.exec(v);
      if (!m) {
        ctx.addIssue({ code: 'custom', message: `"${v}" is not a duration such as 3600, 90s, 5m, 1h or 1d` });
        return z.NEVER;
      }
      return Number(m[1]) * (DURATION_UNITS_MS[m[2] || 's'] as number);
    });

/** `host:port` entries, comma or space separated; the only way to let a private target through. */
const hostPortList = optionalString.transform((v, ctx) => {
  if (v === undefined) return [] as string[];
  const entries = v.split(/[\s,]+/).filter(Boolean);
  for (const entry of entries) {
    if (!/^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):\d{1,5}$/.test(entry)) {
      ctx.addIssue({ code: 'custom', message: `"${entry}" is not host:port` });
    }
  }
  return entries.map((e) => e.toLowerCase());
});

export const configSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  HOST: z.string().default('127.0.0.1'),
  PORT: int(3000, 0, 65535),
  DATA_DIR: z.string().default('./data'),
  DATABASE_URL: optionalUrl(['postgres:', 'postgresql:']),
  REDIS_URL: optionalUrl(['redis:', 'rediss:']),
  /** Namespaces every BullMQ key, so several deployments (or test runs) can share one Redis. */
  QUEUE_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9:_-]+$/)
    .default('linksnap'),
  S3_ENDPOINT: optionalUrl(['http:', 'https:']),
  S3_ACCESS_KEY: optionalString,
  S3_SECRET_KEY: optionalString,
  S3_BUCKET: z
    .string()
    .regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/)
    .default('linksnap'),
  S3_REGION: z.string().default('us-east-1'),
  /** Secret for signing session tokens; unset → generated once and kept in DATA_DIR. */
  JWT_SECRET: optionalString.refine((v) => v === undefined || v.length >= 32, {
    message: 'must be at least 32 characters',
  }),
  TOKEN_TTL_SECONDS: int(7 * 24 * 3600, 60, 365 * 24 * 3600),
  CHROMIUM_PATH: z.string().default('/usr/bin/chromium'),
  /**
   * Pages captured at once per snapshotter: a fixed number when set; unset, the snapshotter
   * adapts it (AIMD on CPU idle, event-loop lag and free memory) between _MIN and _MAX.
   */
  CAPTURE_CONCURRENCY: z.preprocess(
    (v) => (typeof v === 'string' && v.trim() === '' ? undefined : v),
    z.coerce.number().int().min(1).max(64).optional(),
  ),
  CAPTURE_CONCURRENCY_MIN: int(2, 1, 64),
  CAPTURE_CONCURRENCY_MAX: int(6, 1, 64),
  /** How often the adaptive concurrency is reconsidered. */
  CAPTURE_CONCURRENCY_INTERVAL_MS: int(2_000, 100, 60_000),
  /** Memory kept free for each browser context the adaptive concurrency adds (MiB). */
  CAPTURE_CONTEXT_MEMORY_MB: int(384, 32, 65_536),
  CAPTURE_TIMEOUT_MS: int(60_000, 1_000, 600_000),
  /** Full-page screenshots are cut at this height (the capture report says when). */
  CAPTURE_MAX_HEIGHT_PX: int(16_384, 800, 100_000),
  /** Artifacts made by default (a link may ask for others): any of screenshot, pdf, mhtml, html, wacz. */
  CAPTURE_FORMATS: z
    .string()
    .default(CAPTURE_FORMATS.join(','))
    .transform((v, ctx) => {
      const entries = v.split(/[\s,]+/).filter(Boolean);
      const unknown = entries.filter((e) => !(CAPTURE_FORMATS as readonly string[]).includes(e));
      if (unknown.length > 0) ctx.addIssue({ code: 'custom', message: `unknown formats: ${unknown.join(', ')}` });
      return [...new Set(entries)] as CaptureFormat[];
    }),
  /** `bookmark`: by default keep only metadata and readable text (a link may ask for `full`). */
  CAPTURE_MODE: z.enum(CAPTURE_MODES).default('full'),
  /** Full-page screenshots as WebP (high quality, a fraction of the bytes) or PNG. Thumbnails are WebP. */
  SCREENSHOT_FORMAT: z.enum(['webp', 'png']).default('webp'),
  /** Dismiss cookie-consent dialogs (rejecting optional cookies) before the screenshot. */
  CAPTURE_CONSENT: flag(true),
  /** Block ads and trackers with the bundled filter lists (a link may turn it off: blockAds). */
  ADBLOCK: flag(true),
  /**
   * Extra network filter rules (Adblock Plus syntax), separated by whitespace, added to the
   * bundled lists; tests use it to block a loopback "ad host".
   */
  ADBLOCK_EXTRA_FILTERS: optionalString,
  /**
   * The filter list files (in services/snapshotter/filters/, comma-separated) the blocker loads;
   * unset → the bundled EasyList and EasyPrivacy.
   */
  ADBLOCK_LISTS: optionalString.transform((v) => v?.split(/[\s,]+/).filter(Boolean)),
  /** Largest non-HTML response stored as downloaded; above it the capture fails CONTENT_TOO_LARGE. */
  CAPTURE_MAX_BYTES: int(100 * 1024 * 1024, 1024, 10 * 1024 * 1024 * 1024),
  /** Largest page an uploaded capture (POST /v1/links, multipart `page`) may carry; above it 413. */
  UPLOAD_MAX_BYTES: int(50 * 1024 * 1024, 1024, 1024 * 1024 * 1024),
  /** Recording (WARC/WACZ): largest body kept per response; longer ones are cut and marked WARC-Truncated. */
  RECORD_BODY_MAX_BYTES: int(20 * 1024 * 1024, 1024, 1024 * 1024 * 1024),
  /** Recording: largest sum of bodies kept per capture; later bodies are cut. */
  RECORD_TOTAL_MAX_BYTES: int(100 * 1024 * 1024, 1024, 4 * 1024 * 1024 * 1024),
  /**
   * PKCS#8 PEM of the ECDSA P-384 key that signs every WACZ; unset → created once and kept in
   * DATA_DIR/archive-signing-key.pem. Give the same key to every snapshotter of an instance.
   */
  ARCHIVE_SIGNING_KEY: optionalString.refine((v) => v === undefined || v.includes('PRIVATE KEY'), {
    message: 'must be a PEM private key',
  }),
  CAPTURE_ATTEMPTS: int(3, 1, 10),
  /** Base of the exponential backoff between attempts of a retryable capture failure. */
  CAPTURE_BACKOFF_MS: int(2_000, 10, 600_000),
  /** BullMQ lock: a job whose worker stops renewing it is taken over after about this long. */
  JOB_LOCK_MS: int(30_000, 1_000, 600_000),
  JOB_STALLED_INTERVAL_MS: int(15_000, 1_000, 600_000),
  /**
   * SIGTERM: how long in-flight work may finish before it is handed back to the queue. The
   * default keeps a whole stop under 10 s (docker stop's default); compose sets more.
   */
  SHUTDOWN_GRACE_MS: int(5_000, 0, 600_000),
  /** API: how often snapshot rows stuck queued/active without a BullMQ job are repaired (0 = never). */
  RECONCILE_INTERVAL_MS: int(60_000, 0, 24 * 3600_000),
  /** Only rows requested at least this long ago are reconciled (never races a fresh submission). */
  RECONCILE_MIN_AGE_MS: int(120_000, 0, 24 * 3600_000),
  /**
   * API: how often artifact bodies no version references are removed from object storage
   * (ADR 0017; 0 = never). One API process sweeps at a time (a PostgreSQL advisory lock).
   */
  BLOB_SWEEP_INTERVAL_MS: int(3_600_000, 0, 7 * 24 * 3600_000),
  /**
   * An unreferenced body is removed only once its object was last written this long ago: every
   * capture re-writes the bodies it stores, so a capture still in flight never loses one.
   */
  BLOB_GRACE_MS: int(24 * 3600_000, 0, 30 * 24 * 3600_000),
  /** Snapshotter: relaunch the browsers after this many pages… */
  BROWSER_RECYCLE_PAGES: int(200, 1, 1_000_000),
  /** …or after this many minutes, whichever comes first (between jobs, never mid-capture). */
  BROWSER_RECYCLE_MINUTES: int(30, 1, 7 * 24 * 60),
  EGRESS_ALLOW: hostPortList,
  /**
   * Test-only: let nothing but the EGRESS_ALLOW entries through, not even public addresses, so
   * a test can never cause a connection off this host. Off by default.
   */
  EGRESS_ALLOW_ONLY: z
    .enum(['true', 'false', '1', '0'])
    .default('false')
    .transform((v) => v === 'true' || v === '1'),
  ARCHIVE_ORIGIN: optionalUrl(['http:', 'https:']),
  /**
   * The reverse proxies whose X-Forwarded-For/-Proto/-Host are believed (Fastify's trustProxy):
   * unset believes none; `true` every hop (only when nothing reaches the API but the proxy); a
   * number, that many hops; otherwise addresses or CIDR ranges, comma-separated. Behind a
   * TLS-terminating proxy it makes session cookies Secure and sends HSTS, and login and sign-up
   * limits count the client's address instead of the proxy's.
   */
  TRUST_PROXY: z
    .string()
    .default('')
    .transform((v): boolean | string[] | ((address: string, hop: number) => boolean) => {
      const value = v.trim();
      if (value === '' || value === 'false') return false;
      if (value === 'true') return true;
      // n hops from the server, as Fastify itself reads a number (its types do not take one).
      if (/^\d+$/.test(value)) return (_address, hop) => hop < Number(value);
      return value
        .split(',')
        .map((a) => a.trim())
        .filter((a) => a.length > 0);
    }),
  /**
   * Without ARCHIVE_ORIGIN, archives (signed artifact URLs, the replay player) are served on this
   * second port of HOST, a separate origin; unset → PORT+1 (0 when PORT is 0: an ephemeral port).
   */
  ARCHIVE_PORT: z.preprocess(
    (v) => (typeof v === 'string' && v.trim() === '' ? undefined : v),
    z.coerce.number().int().min(0).max(65535).optional(),
  ),
  /** Lifetime of a signed archive URL (GET /v1/snapshots/{id}/artifacts/{kind}/url). */
  ARCHIVE_URL_TTL_SECONDS: int(300, 10, 86_400),
  /** Rate limits, per RATE_LIMIT_WINDOW_MS window, counted in Redis (one budget for all API replicas). */
  RATE_LIMIT_WINDOW_MS: int(60_000, 1_000, 3_600_000),
  /** Login attempts per client IP. */
  LOGIN_RATE_LIMIT_PER_IP: int(30, 1, 1_000_000),
  /** Failed logins per account (email). */
  LOGIN_RATE_LIMIT_PER_ACCOUNT: int(10, 1, 1_000_000),
  /** POST /v1/links submissions per user. */
  LINK_SUBMIT_RATE_LIMIT: int(60, 1, 1_000_000),
  /** Sign-up attempts per client IP. */
  SIGNUP_RATE_LIMIT_PER_IP: int(10, 1, 1_000_000),
  /**
   * Closes public sign-up (403 SIGNUPS_DISABLED); the instance's first account can still be
   * created, and admins create accounts with POST /v1/admin/users. Karakeep's name for it.
   */
  DISABLE_SIGNUPS: z
    .enum(['true', 'false', '1', '0'])
    .default('false')
    .transform((v) => v === 'true' || v === '1'),
  /** Snapshotter: Prometheus metrics on HOST:this port (0 = off). */
  SNAPSHOTTER_METRICS_PORT: int(9464, 0, 65535),
  /** Emails (comma or space separated) that are admins (queue dashboard); the first sign-up always is. */
  ADMIN_EMAILS: optionalString.transform((v) =>
    v === undefined
      ? ([] as string[])
      : v
          .split(/[\s,]+/)
          .filter(Boolean)
          .map((e) => e.toLowerCase()),
  ),
  /** Webhook deliveries: attempts, base of the exponential backoff, and per-request timeout. */
  WEBHOOK_ATTEMPTS: int(6, 1, 20),
  WEBHOOK_BACKOFF_MS: int(2_000, 10, 3_600_000),
  WEBHOOK_TIMEOUT_MS: int(10_000, 100, 120_000),
  /** Shortest re-capture schedule a link or tag may have (ms once parsed; default one hour). */
  SCHEDULE_MIN_INTERVAL: duration('1h'),
  /** A tag's scheduled captures are spread over this window (ms once parsed), never longer than its interval. */
  SCHEDULE_SPREAD: duration('10m'),
});

export type Config = z.infer<typeof configSchema>;
export type Env = Record<string, string | undefined>;

export class ConfigError extends Error {
  readonly issues: { key: string; message: string }[];
  constructor(issues: { key: string; message: string }[]) {
    super(`Invalid configuration:\n${issues.map((i) => `  ${i.key}: ${i.message}`).join('\n')}`);
    this.name = 'ConfigError';
    this.issues = issues;
  }
}

/** Parses the environment; throws ConfigError naming every bad key. */
export function parseConfig(env: Env): Config {
  const result = configSchema.safeParse(env);
  if (!result.success) {
    throw new ConfigError(
      result.error.issues.map((issue) => ({ key: String(issue.path[0] ?? '?'), message: issue.message })),
    );
  }
  const config = result.data;
  if (config.S3_ENDPOINT !== undefined && (config.S3_ACCESS_KEY === undefined || config.S3_SECRET_KEY === undefined)) {
    throw new ConfigError([
      { key: 'S3_ACCESS_KEY', message: 'S3_ACCESS_KEY and S3_SECRET_KEY are required with S3_ENDPOINT' },
    ]);
  }
  return { ...config, DATA_DIR: path.resolve(config.DATA_DIR) };
}

/**
 * For entry points: parse or print the message and exit 1. The process never starts
 * half-configured.
 */
export function loadConfigOrExit(env: Env = process.env): Config {
  try {
    return parseConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
}

/** The port of the archive listener (used only without ARCHIVE_ORIGIN): ARCHIVE_PORT or PORT+1. */
export function archivePort(config: Pick<Config, 'PORT' | 'ARCHIVE_PORT'>): number {
  if (config.ARCHIVE_PORT !== undefined) return config.ARCHIVE_PORT;
  return config.PORT === 0 ? 0 : config.PORT + 1;
}

/** The environment keys the schema knows, for checks such as the compose-file test. */
export const CONFIG_KEYS = Object.keys(configSchema.shape) as (keyof Config)[];
