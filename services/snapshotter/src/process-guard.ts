/**
 * Last-resort handlers for errors nothing else caught. The sources are fixed where they arise
 * (egress/tunnel.ts guards every proxy socket; the patched puppeteer-cluster turns a page it
 * cannot open into the job's error): what still arrives here is logged with what is known of
 * it. A peer resetting or hanging up a socket ends that connection and nothing else, so it does
 * not take the running captures down with the process; anything else is a bug, and the process
 * exits (BullMQ retries its jobs once their locks expire).
 */
import type { Logger } from '@linksnap/shared';

/** Codes a socket reports when its peer went away: the connection's end, not a fault of ours. */
const PEER_GONE = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED', 'ERR_STREAM_PREMATURE_CLOSE']);

/** A socket error caused by the peer (`read ECONNRESET`, `write EPIPE`), not by our code. */
export function isHarmlessSocketError(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  const { code, syscall } = err as NodeJS.ErrnoException;
  if (code === undefined || !PEER_GONE.has(code)) return false;
  return code === 'ERR_STREAM_PREMATURE_CLOSE' || syscall === 'read' || syscall === 'write';
}

/** The fields of an error worth logging, so the line says where it came from. */
function context(err: unknown): Record<string, unknown> {
  if (!(err instanceof Error)) return { err, type: typeof err };
  const { code, syscall, address, port } = err as NodeJS.ErrnoException & { address?: string; port?: number };
  return { err, code, syscall, address, port };
}

export function installProcessGuards(logger: Logger, exit: (code: number) => void = process.exit): void {
  const handle = (kind: 'uncaught exception' | 'unhandled rejection') => (err: unknown) => {
    if (isHarmlessSocketError(err)) {
      logger.warn({ ...context(err), kind }, 'a socket error reached the process level; its connection is closed');
      return;
    }
    logger.fatal({ ...context(err), kind }, kind);
    exit(1);
  };
  process.on('uncaughtException', handle('uncaught exception'));
  process.on('unhandledRejection', handle('unhandled rejection'));
}
