/**
 * Renders the LinkSnap icon (one SVG) into the PNGs the extension and the installable web app
 * need. Run by hand after changing the drawing (`node scripts/make-icons.mjs`); the PNGs are
 * committed. Uses sharp, which the snapshotter already depends on.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const sharp = createRequire(path.join(root, 'services/snapshotter/package.json'))('sharp');

/** A camera-shutter ring over a chain link, on the app's blue; `pad` leaves the maskable safe zone. */
function svg(pad) {
  const s = 512;
  const inner = s - pad * 2;
  const k = inner / 512;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${s}" height="${s}" viewBox="0 0 ${s} ${s}">
  <rect width="${s}" height="${s}" rx="${pad ? 0 : 96}" fill="#2563eb"/>
  <g transform="translate(${pad} ${pad}) scale(${k})" fill="none" stroke="#fff" stroke-width="40" stroke-linecap="round">
    <circle cx="256" cy="256" r="150"/>
    <path d="M205 300 l102 -102"/>
    <path d="M236 176 l30 -30 a52 52 0 0 1 74 74 l-30 30"/>
    <path d="M276 336 l-30 30 a52 52 0 0 1 -74 -74 l30 -30"/>
  </g></svg>`;
}

async function png(file, size, pad = 0) {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(
    file,
    await sharp(Buffer.from(svg(pad)))
      .resize(size, size)
      .png({ compressionLevel: 9 })
      .toBuffer(),
  );
}

for (const size of [16, 32, 48, 128]) await png(path.join(root, `apps/extension/public/icons/icon-${size}.png`), size);
const web = path.join(root, 'services/api/web/public/icons');
await png(path.join(web, 'icon-192.png'), 192);
await png(path.join(web, 'icon-512.png'), 512);
await png(path.join(web, 'maskable-512.png'), 512, 80);
await png(path.join(web, 'apple-touch-icon.png'), 180);
console.log('icons written');
