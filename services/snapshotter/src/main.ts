/**
 * Snapshotter entry point: parse config, start, and turn SIGTERM/SIGINT into a bounded stop
 * (a second signal stops at once). Browsers run in their own process groups, so every way out
 * of this process kills them.
 */
import { bounded, createLogger, handleStopSignals, loadConfigOrExit } from '@linksnap/shared';
import { installProcessGuards } from './process-guard.js';
import { type Snapshotter, startSnapshotter } from './worker.js';

/** Beyond the captures' grace: start-up, hand-back, browsers, proxy (worker.ts bounds each). */
const STOP_OVERHEAD_MS = 4_000;
const STARTUP_WAIT_MS = 2_000;

const config = loadConfigOrExit();
const logger = createLogger(config, 'snapshotter');
let snapshotter: Snapshotter | undefined;

// Last resort for any exit path (crash, forced exit): no Chromium outlives this process.
process.on('exit', () => snapshotter?.pool.kill());
installProcessGuards(logger);

const started = startSnapshotter(config, { logger }).then(
  (s) => {
    snapshotter = s;
  },
  (err: unknown) => {
    logger.fatal({ err }, 'snapshotter failed to start');
    process.exit(1);
  },
);

// Registered before start-up ends: a stop during it must not leave a browser behind. Each step
// of close() is bounded (worker.ts); the budget is the backstop of the whole stop.
handleStopSignals(
  async () => {
    await bounded('start-up', () => started, STARTUP_WAIT_MS, logger);
    await snapshotter?.close();
  },
  { logger, budgetMs: config.SHUTDOWN_GRACE_MS + STOP_OVERHEAD_MS, onForce: () => snapshotter?.pool.kill() },
);
