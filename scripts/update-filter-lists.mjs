// Refreshes the ad and tracker filter lists bundled with the snapshotter
// (services/snapshotter/filters/). Run by a developer, never at capture time: production may
// have no route to the list hosts, so the lists ship with the code. Zero dependencies.
//   node scripts/update-filter-lists.mjs
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const dir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../services/snapshotter/filters');
const LISTS = {
  'easylist.txt': 'https://easylist.to/easylist/easylist.txt',
  'easyprivacy.txt': 'https://easylist.to/easylist/easyprivacy.txt',
};

for (const [file, url] of Object.entries(LISTS)) {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`);
  const text = await res.text();
  // A truncated or error page must not replace a good list.
  if (!/^\[Adblock Plus/.test(text) || text.length < 100_000) throw new Error(`${url}: not a filter list`);
  writeFileSync(path.join(dir, file), text);
  const version = /^! Version: (\S+)/m.exec(text)?.[1] ?? 'unknown';
  process.stdout.write(`${file}: ${text.length} bytes, version ${version}\n`);
}
process.stdout.write('Commit the changed lists; the snapshotter loads them at start.\n');
