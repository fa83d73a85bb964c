// `npm start`: bootstrap, then run the whole platform (API + UI + one snapshotter) on embedded
// defaults: PGlite, a private redis-server and an S3-compatible server, all under DATA_DIR.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { bootstrap, root } from './bootstrap.mjs';

try {
  bootstrap();
} catch (err) {
  process.stderr.write(`[bootstrap] ${err.message}\n`);
  process.exit(1);
}

const child = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'services/api/src/embedded/platform.ts')], {
  cwd: root,
  stdio: 'inherit',
  env: process.env,
});
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => child.kill(signal));
}
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
