// Zero-dependency bootstrap shared by `npm start` and `npm test`: makes a fresh Debian/Ubuntu
// machine ready (pnpm at the pinned version, workspace dependencies, Chromium, redis-server)
// and does nothing that is already done. Only Node's standard library is used here.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

function log(message) {
  process.stderr.write(`[bootstrap] ${message}\n`);
}

function run(cmd, args, options = {}) {
  const result = spawnSync(cmd, args, { stdio: 'inherit', cwd: root, ...options });
  if (result.status !== 0) {
    throw new Error(`${cmd} ${args.join(' ')} exited with ${result.status ?? result.signal}`);
  }
}

function commandVersion(cmd) {
  try {
    return execFileSync(cmd, ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return null;
  }
}

function which(cmd) {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (dir && existsSync(path.join(dir, cmd))) return path.join(dir, cmd);
  }
  return null;
}

function checkNode() {
  const [major, minor] = process.versions.node.split('.').map(Number);
  if (major < 20 || (major === 20 && minor < 18)) {
    throw new Error(`Node.js >= 20.18 is required, this is ${process.versions.node}.`);
  }
}

function ensurePnpm() {
  const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
  const wanted = String(pkg.packageManager).replace(/^pnpm@/, '');
  if (commandVersion('pnpm') === wanted) return 'pnpm';
  log(`installing pnpm ${wanted}`);
  const global = spawnSync('npm', ['install', '--global', `pnpm@${wanted}`, '--no-fund', '--no-audit'], {
    stdio: 'inherit',
  });
  if (global.status === 0 && commandVersion('pnpm') === wanted) return 'pnpm';
  // No permission for a global install: run the pinned pnpm through npm exec instead.
  log('global install not possible; using npm exec');
  return null;
}

let pnpmCommand;
function pnpm(args) {
  pnpmCommand ??= ensurePnpm() ?? 'npm-exec';
  if (pnpmCommand === 'pnpm') run('pnpm', args);
  else {
    const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
    run('npm', ['exec', '--yes', `--package=${pkg.packageManager}`, '--', 'pnpm', ...args]);
  }
}

function installDependencies() {
  // Fast when nothing changed; --frozen-lockfile keeps the committed versions exactly.
  pnpm(['install', '--frozen-lockfile', '--reporter=append-only']);
}

/** Newest modification time under `dir` (recursively), 0 when it does not exist. */
function newestMtime(dir) {
  if (!existsSync(dir)) return 0;
  const stat = statSync(dir);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = 0;
  for (const name of readdirSync(dir)) newest = Math.max(newest, newestMtime(path.join(dir, name)));
  return newest;
}

/** Builds the web UI when its dist/index.html is missing or older than any of its sources. */
function buildWebUi() {
  const web = path.join(root, 'services/api/web');
  const built = path.join(web, 'dist/index.html');
  // The UI bundles the typed API client too.
  const sources = Math.max(
    newestMtime(path.join(web, 'src')),
    newestMtime(path.join(web, 'index.html')),
    newestMtime(path.join(root, 'packages/api-client/src')),
  );
  if (existsSync(built) && statSync(built).mtimeMs >= sources) return;
  log('building the web UI');
  pnpm(['--filter', '@linksnap/api', 'run', 'build:web']);
}

/** The workspace packages the services run compiled (dist/, ADR 0022): name and folder. */
const COMPILED_PACKAGES = [
  ['@linksnap/shared', 'packages/shared'],
  ['@linksnap/api', 'services/api'],
  ['@linksnap/snapshotter', 'services/snapshotter'],
];

/** Whether a package's dist/ is at least as new as every source under its src/. */
function isCompiled(dir) {
  const dist = path.join(root, dir, 'dist');
  return existsSync(dist) && newestMtime(dist) >= newestMtime(path.join(root, dir, 'src'));
}

/**
 * Whether every service package's compiled form is current: the test stacks then run what
 * `npm start` and the images run (`npm test`'s bootstrap compiles first), and run from source
 * through tsx when a source was edited since.
 */
export function servicesCompiled() {
  return COMPILED_PACKAGES.every(([, dir]) => isCompiled(dir));
}

/**
 * Compiles the services and the shared package to JavaScript (dist/, ADR 0022) when a source is
 * newer than their build: `npm start` and the images run that, with no TypeScript loader.
 */
function buildServices() {
  for (const [name, dir] of COMPILED_PACKAGES) {
    if (isCompiled(dir)) continue;
    log(`compiling ${name}`);
    pnpm(['--filter', name, 'run', 'build']);
  }
}

/** Builds the browser extension (dist/chromium, dist/firefox and their zips) when missing or stale. */
function buildExtension() {
  const app = path.join(root, 'apps/extension');
  const built = path.join(app, 'dist/chromium/manifest.json');
  const sources = Math.max(
    newestMtime(path.join(app, 'src')),
    newestMtime(path.join(app, 'public')),
    newestMtime(path.join(app, 'scripts')),
    newestMtime(path.join(app, 'package.json')),
  );
  if (existsSync(built) && statSync(built).mtimeMs >= sources) return;
  log('building the browser extension');
  pnpm(['--filter', '@linksnap/extension', 'run', 'build']);
}

const CJK_FONTS = [
  '/usr/share/fonts/truetype/wqy/wqy-microhei.ttc',
  '/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc',
];

/** Debian packages this platform runs on; installed only when their binary is missing. */
function ensureSystemPackages({ chromiumPath }) {
  const missing = [];
  if (!existsSync(chromiumPath) && !which('chromium')) missing.push('chromium');
  if (!which('redis-server')) missing.push('redis-server');
  // Without a CJK font, Chinese and Japanese pages are captured as boxes in screenshots/PDFs.
  if (!CJK_FONTS.some((file) => existsSync(file))) missing.push('fonts-wqy-microhei');
  if (missing.length === 0) return;
  if (!which('apt-get')) {
    throw new Error(
      `Missing ${missing.join(', ')} and no apt-get to install them. Install them, or set CHROMIUM_PATH.`,
    );
  }
  const sudo = process.getuid?.() === 0 ? [] : ['sudo'];
  log(`installing ${missing.join(', ')} from the distribution's packages`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const apt = (args) => (sudo.length ? run('sudo', ['apt-get', ...args], { env }) : run('apt-get', args, { env }));
  apt(['update', '-qq']);
  apt(['install', '-y', '-qq', '--no-install-recommends', ...missing]);
}

export function bootstrap() {
  const started = Date.now();
  checkNode();
  ensureSystemPackages({ chromiumPath: process.env.CHROMIUM_PATH || '/usr/bin/chromium' });
  installDependencies();
  buildServices();
  buildWebUi();
  buildExtension();
  log(`ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  try {
    bootstrap();
  } catch (err) {
    log(err.message);
    process.exit(1);
  }
}
