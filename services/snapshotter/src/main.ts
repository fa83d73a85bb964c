/**
 * Snapshotter entry point: parse config, start, and turn SIGTERM/SIGINT into a graceful stop.
 * Browsers run in their own process groups, so every way out of this process kills them.
 */
import { createLogger, loadConfigOrExit } from '@linksnap/shared';
import { installProcessGuards } from './process-guard.js';
import { startSnapshotter } from './worker.js';

const config = loadConfigOrExit();
const logger = createLogger(config, 'snapshotter');

const snapshotter = await startSnapshotter(config, { logger }).catch((err: unknown) => {
  logger.fatal({ err }, 'snapshotter failed to start');
  process.exit(1);
});

// Last resort for any exit path (crash, forced exit): no Chromium outlives this process.
process.on('exit', () => snapshotter.pool.kill());
installProcessGuards(logger);

let stopping = false;
const stop = (signal: NodeJS.Signals) => {
  if (stopping) return;
  stopping = true;
  logger.info({ signal }, 'stopping');
  // Backstop beyond the grace period, in case closing itself hangs.
  setTimeout(() => {
    logger.error('shutdown took too long; killing browsers');
    process.exit(1);
  }, config.SHUTDOWN_GRACE_MS + 20_000).unref();
  snapshotter.close().then(
    () => process.exit(0),
    (err: unknown) => {
      logger.error({ err }, 'shutdown failed');
      process.exit(1);
    },
  );
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
