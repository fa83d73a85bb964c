/**
 * A migrated PGlite data directory that tests copy instead of creating their own. A new PGlite
 * directory runs initdb in WebAssembly: 8–10 CPU-seconds each, and 22 s of wall time at the load
 * of a test run (opening a copy takes about 2 s); under the parallel batch one API on PGlite once
 * took over its 120 s to become ready. The template is made once per migration set and PGlite
 * version by the API's own `openDatabase`, so a copy is what the API would have left on its first
 * start; the API still opens it and applies its migrations (none left to apply) as it always
 * does. `services/api/test/pglite.test.ts` keeps testing a first start on an empty directory.
 */
import { createHash } from 'node:crypto';
import {
  closeSync,
  cpSync,
  existsSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  unlinkSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { MIGRATIONS_DIR, openDatabase } from '@linksnap/api/db/database';
import { tempDir } from './services.js';

/** A builder that held the lock this long has died: its lock is taken over. */
const STALE_LOCK_MS = 300_000;

/** What the template depends on: the migration files and the PGlite release. */
function templateKey(): string {
  const hash = createHash('sha256');
  const require = createRequire(path.join(MIGRATIONS_DIR, '..', 'package.json'));
  // Its package.json is not exported: it is two levels above the entry point (dist/index.cjs).
  hash.update(readFileSync(path.resolve(require.resolve('@electric-sql/pglite'), '../../package.json')));
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const file = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(file);
      else hash.update(entry.name).update(readFileSync(file));
    }
  };
  walk(MIGRATIONS_DIR);
  return hash.digest('hex').slice(0, 16);
}

let ready: Promise<string> | undefined;

/** The template's path, made by the first test process that needs it (the others wait). */
function template(): Promise<string> {
  ready ??= (async () => {
    const target = path.join(os.tmpdir(), `linksnap-pglite-template-${templateKey()}`);
    const lock = `${target}.lock`;
    for (;;) {
      if (existsSync(target)) return target;
      let fd: number | undefined;
      try {
        fd = openSync(lock, 'wx');
      } catch {
        if (Date.now() - (statSync(lock, { throwIfNoEntry: false })?.mtimeMs ?? Date.now()) > STALE_LOCK_MS) {
          rmSync(lock, { force: true });
        }
        await new Promise((resolve) => setTimeout(resolve, 200));
        continue;
      }
      try {
        if (existsSync(target)) return target;
        const build = tempDir('linksnap-pglite-build-');
        const database = await openDatabase({ DATABASE_URL: undefined, DATA_DIR: build });
        await database.close();
        // The rename makes the template appear whole or not at all.
        renameSync(path.join(build, 'pglite'), target);
        return target;
      } finally {
        closeSync(fd);
        unlinkSync(lock);
      }
    }
  })();
  return ready;
}

/** Gives `dataDir` the migrated PGlite directory the API keeps in DATA_DIR/pglite. */
export async function seedPgliteDataDir(dataDir: string): Promise<void> {
  const target = path.join(dataDir, 'pglite');
  if (existsSync(target)) return;
  cpSync(await template(), target, { recursive: true });
}
