/**
 * The snapshotter as the benchmarks run it: services/snapshotter/src/main.ts, except that the
 * egress guard resolves no names (like test/support/snapshotter-harness.ts), so the corpus
 * pages' external resources fail locally and nothing but the allow-listed 127.0.0.1 fixture
 * server is ever reached.
 */
import { createLogger, loadConfigOrExit } from '../../packages/shared/src/index.js';
import { startSnapshotter } from '../../services/snapshotter/src/worker.js';

const config = loadConfigOrExit();
const logger = createLogger(config, 'snapshotter');
const snapshotter = await startSnapshotter(config, {
  logger,
  resolver: async (name) => {
    throw new Error(`benchmarks resolve no names (${name})`);
  },
});
process.on('exit', () => snapshotter.pool.kill());
let stopping = false;
const stop = () => {
  if (stopping) return;
  stopping = true;
  setTimeout(() => process.exit(1), 30_000).unref();
  snapshotter.close().then(
    () => process.exit(0),
    () => process.exit(1),
  );
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
