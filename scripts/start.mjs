// `npm start`: bootstrap, then run the whole platform (API + UI + one snapshotter) on embedded
// defaults: PGlite, a private redis-server and an S3-compatible server, all under DATA_DIR.
import { bootstrap } from './bootstrap.mjs';

try {
  bootstrap();
} catch (err) {
  process.stderr.write(`[bootstrap] ${err.message}\n`);
  process.exit(1);
}

await import('./supervise.mjs');
