/**
 * Entry point: `node --import tsx services/api/src/server.ts`. Boots the API from the
 * environment and shuts down on SIGTERM/SIGINT within a bounded time (drain requests, then close the rest;
 * a second signal exits at once).
 */
import { createLogger, handleStopSignals, isEntryPoint, loadConfigOrExit } from '@linksnap/shared';
import { startApi } from './main.js';

export { createApi, startApi } from './main.js';

/** Under docker stop's default of 10 s, whatever died first. */
const API_STOP_BUDGET_MS = 9_000;

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
  // Each step of api.close() is bounded (main.ts); this is the backstop of the whole stop.
  handleStopSignals(() => api.close(), { logger, budgetMs: API_STOP_BUDGET_MS });
}

if (isEntryPoint(import.meta.url)) void main();
