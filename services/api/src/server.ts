/**
 * Entry point: `node --import tsx services/api/src/server.ts`. Boots the API from the
 * environment and shuts down cleanly on SIGTERM/SIGINT (drain requests, then close the rest).
 */
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createLogger, loadConfigOrExit } from '@linksnap/shared';
import { startApi } from './main.js';

export { createApi, startApi } from './main.js';

export async function main(): Promise<void> {
  const config = loadConfigOrExit();
  const logger = createLogger(config, 'api');
  let api: Awaited<ReturnType<typeof startApi>>;
  try {
    api = await startApi(config, { logger });
  } catch (err) {
    logger.fatal({ err }, 'api failed to start');
    process.exit(1);
  }
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'api shutting down');
    const force = setTimeout(() => {
      logger.error('shutdown grace period exceeded');
      process.exit(1);
    }, config.SHUTDOWN_GRACE_MS);
    force.unref();
    api.close().then(
      () => process.exit(0),
      (err) => {
        logger.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

function isEntryPoint(): boolean {
  const entry = process.argv[1];
  if (!entry) return false;
  try {
    return realpathSync(entry) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isEntryPoint()) void main();
