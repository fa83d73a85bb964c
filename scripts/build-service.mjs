// Compiles one workspace package's src/ to dist/ (`pnpm --filter <pkg> run build`, or
// `node scripts/build-service.mjs <dir>`): each TypeScript file becomes one ES module at the same
// place under dist/, so paths a module resolves from its own location (../../drizzle, the web
// UI, the filter lists) stay the same. Type-checking is tsc's job (npm test); this only strips
// types, which is all Node needs to run the services without a loader (ADR 0022).
import { readdirSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';

/** The package's TypeScript sources, declaration files left out (they compile to nothing). */
function sources(dir, out = []) {
  for (const name of readdirSync(dir)) {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) sources(full, out);
    else if (name.endsWith('.ts') && !name.endsWith('.d.ts')) out.push(full);
  }
  return out;
}

export async function buildService(packageDir) {
  const src = path.join(packageDir, 'src');
  const dist = path.join(packageDir, 'dist');
  // A clean build: a module deleted from src must not live on in dist.
  rmSync(dist, { recursive: true, force: true });
  await build({
    entryPoints: sources(src),
    outdir: dist,
    outbase: src,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    logLevel: 'warning',
  });
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await buildService(path.resolve(process.argv[2] ?? '.'));
}
