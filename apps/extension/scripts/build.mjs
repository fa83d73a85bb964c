/**
 * Builds the extension for Chromium and Firefox (Manifest V3) into dist/chromium and
 * dist/firefox, and packs each as a zip (dist/linksnap-<browser>-<version>.zip). Plain Vite:
 * the popup and background as ES modules, the page serialiser (capture.js) as one classic
 * script, since `chrome.scripting.executeScript({files})` runs scripts, not modules.
 */
import { cpSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { zipSync } from 'fflate';
import { build } from 'vite';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dist = path.join(root, 'dist');
const out = path.join(dist, 'bundle');
const { version } = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));

function manifest(browser) {
  const base = {
    manifest_version: 3,
    name: '__MSG_extName__',
    description: '__MSG_extDescription__',
    version,
    default_locale: 'en',
    icons: { 16: 'icons/icon-16.png', 32: 'icons/icon-32.png', 48: 'icons/icon-48.png', 128: 'icons/icon-128.png' },
    action: {
      default_popup: 'popup.html',
      default_title: '__MSG_extName__',
      default_icon: { 16: 'icons/icon-16.png', 32: 'icons/icon-32.png' },
    },
    permissions: ['storage', 'contextMenus', 'activeTab', 'scripting'],
    // The instance may live on any origin the user names, and "Save page as I see it" reads the tab it runs in.
    host_permissions: ['<all_urls>'],
  };
  if (browser === 'firefox') {
    return {
      ...base,
      background: { scripts: ['background.js'], type: 'module' },
      browser_specific_settings: { gecko: { id: 'extension@linksnap.invalid', strict_min_version: '128.0' } },
    };
  }
  return { ...base, background: { service_worker: 'background.js', type: 'module' }, minimum_chrome_version: '120' };
}

function zipDir(dir) {
  const files = {};
  const walk = (sub) => {
    for (const name of readdirSync(path.join(dir, sub))) {
      const rel = sub ? `${sub}/${name}` : name;
      if (statSync(path.join(dir, rel)).isDirectory()) walk(rel);
      else files[rel] = [readFileSync(path.join(dir, rel)), { mtime: new Date('2026-01-01T00:00:00Z') }];
    }
  };
  walk('');
  return zipSync(files, { level: 9 });
}

rmSync(dist, { recursive: true, force: true });
const quiet = {
  configFile: false,
  logLevel: 'warn',
  root: path.join(root, 'src'),
  publicDir: path.join(root, 'public'),
};
await build({
  ...quiet,
  base: './',
  build: {
    outDir: out,
    emptyOutDir: true,
    modulePreload: false,
    rollupOptions: {
      input: { popup: path.join(root, 'src/popup.html'), background: path.join(root, 'src/background.ts') },
      output: {
        entryFileNames: '[name].js',
        chunkFileNames: 'chunks/[name]-[hash].js',
        assetFileNames: 'assets/[name]-[hash][extname]',
      },
    },
  },
});
await build({
  ...quiet,
  publicDir: false,
  // Only SingleFile's zip worker (unused: pages are sent as HTML) reads import.meta.url.
  define: { 'import.meta.url': 'location.href' },
  build: {
    outDir: out,
    emptyOutDir: false,
    lib: {
      entry: path.join(root, 'src/capture.ts'),
      formats: ['iife'],
      name: 'linksnapCapture',
      fileName: () => 'capture.js',
    },
  },
});
for (const browser of ['chromium', 'firefox']) {
  const target = path.join(dist, browser);
  mkdirSync(target, { recursive: true });
  cpSync(out, target, { recursive: true });
  writeFileSync(path.join(target, 'manifest.json'), `${JSON.stringify(manifest(browser), null, 2)}\n`);
  writeFileSync(path.join(dist, `linksnap-${browser}-${version}.zip`), zipDir(target));
}
rmSync(out, { recursive: true, force: true });
console.log(`extension built: ${path.relative(process.cwd(), dist)}/{chromium,firefox} and their zips`);
