/**
 * Request loggers made on first use. Fastify gives every request a child of the process logger
 * bound to its id; pino builds one eagerly, serialising the bindings through the redaction
 * rules, which costs more than answering a job poll from Redis, while at the usual levels most
 * requests log nothing. This stand-in creates the same child on the first call that logs.
 */
import type { Logger } from '@linksnap/shared';
import type { FastifyBaseLogger } from 'fastify';

type Level = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace';
type Bindings = Parameters<Logger['child']>[0];

class LazyRequestLogger {
  private made: Logger | undefined;

  constructor(
    private readonly parent: Logger,
    private readonly childBindings: Bindings,
  ) {}

  private logger(): Logger {
    this.made ??= this.parent.child(this.childBindings);
    return this.made;
  }

  private log(level: Level, args: unknown[]): void {
    if (!(this.made ?? this.parent).isLevelEnabled(level)) return;
    (this.logger()[level] as (...a: unknown[]) => void)(...args);
  }

  get level(): string {
    return (this.made ?? this.parent).level;
  }

  set level(level: string) {
    this.logger().level = level;
  }

  fatal(...args: unknown[]) {
    this.log('fatal', args);
  }
  error(...args: unknown[]) {
    this.log('error', args);
  }
  warn(...args: unknown[]) {
    this.log('warn', args);
  }
  info(...args: unknown[]) {
    this.log('info', args);
  }
  debug(...args: unknown[]) {
    this.log('debug', args);
  }
  trace(...args: unknown[]) {
    this.log('trace', args);
  }
  silent() {}

  isLevelEnabled(level: string): boolean {
    return (this.made ?? this.parent).isLevelEnabled(level);
  }

  child(bindings: Bindings, options?: Parameters<Logger['child']>[1]) {
    return this.logger().child(bindings, options);
  }

  bindings() {
    return this.logger().bindings();
  }
}

/** Fastify's `childLoggerFactory`: lazy for plain requests, pino's own for routes with log options. */
export function lazyChildLoggerFactory(
  logger: FastifyBaseLogger,
  bindings: Bindings,
  opts: Parameters<FastifyBaseLogger['child']>[1],
): FastifyBaseLogger {
  if (opts?.level !== undefined || opts?.serializers !== undefined) return logger.child(bindings, opts);
  return new LazyRequestLogger(logger as unknown as Logger, bindings) as unknown as FastifyBaseLogger;
}
