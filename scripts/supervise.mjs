// The supervisor of `npm start` (after bootstrap): runs the platform (API + UI + one snapshotter
// on embedded defaults) as its child and passes stop signals on. Kept apart from start.mjs so
// the stop test can run it without repeating the bootstrap each time.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
// Compiled JavaScript (bootstrap builds dist/ when a source is newer): no TypeScript loader at
// run time, and the workspace packages resolve to their compiled exports.
const platform = path.join(root, 'services/api/dist/embedded/platform.js');
const child = spawn(process.execPath, ['--conditions=production', platform], {
  cwd: root,
  stdio: 'inherit',
  env: process.env,
});
// Every signal is passed on: the platform counts a signal sent to the whole group and this
// forward of it as one stop, and a later one as "stop at once" (packages/shared/src/shutdown.ts).
// Past the platform's own budget this supervisor does not wait either.
const BACKSTOP_MS = 12_000;
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    child.kill(signal);
    setTimeout(() => child.kill('SIGKILL'), BACKSTOP_MS).unref();
  });
}
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
