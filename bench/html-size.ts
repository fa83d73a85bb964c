/**
 * Size of the self-contained html artifact against the old one (`page.content()`) on corpus
 * pages: `node --import tsx bench/html-size.ts [page…]`. Captures run through the egress guard
 * with only the fixture server allowed and no DNS, so only loopback is ever contacted; the
 * corpus pages' own subresources point at their live sites and are refused (not recorded).
 */
import { parseConfig } from '../packages/shared/src/index.js';
import { type BrowserPool, launchBrowserPool } from '../services/snapshotter/src/browser-pool.js';
import { capturePage } from '../services/snapshotter/src/capture/index.js';
import { startEgressProxy } from '../services/snapshotter/src/egress/proxy.js';
import { startFixtureServer } from '../test/support/fixture-server.js';
import { noDnsResolver } from '../test/support/services.js';

const DEFAULT_PAGES = ['wikipedia-2', 'guardian-1', 'yahoo-2', 'cnet', 'aclu', 'citylab-1'];

interface Row {
  page: string;
  oldBytes: number;
  newBytes: number;
  inlined: number;
  missing: number;
}

async function measure(pool: BrowserPool, url: string, proxy: Parameters<typeof capturePage>[1]['proxy']) {
  return pool.run(async (page) => {
    const out = await capturePage(page, { url, timeoutMs: 60_000, proxy });
    // The old artifact, from the same settled page.
    const oldBytes = Buffer.byteLength(await page.content(), 'utf8');
    const html = out.artifacts.find((a) => a.kind === 'html');
    const report = JSON.parse(out.artifacts.find((a) => a.kind === 'report')?.body.toString('utf8') ?? '{}');
    return { oldBytes, newBytes: html?.body.length ?? 0, ...(report.html ?? { inlined: 0, missing: 0 }) };
  });
}

async function main(): Promise<void> {
  // A connection reset on a socket without an error listener (seen under heavy load, from the
  // egress path) would end the whole measurement; it is logged and the page's capture goes on.
  process.on('uncaughtException', (err) => console.error(`ignored: ${err.message}`));
  const pages = process.argv.slice(2).length > 0 ? process.argv.slice(2) : DEFAULT_PAGES;
  const fixture = await startFixtureServer();
  const proxy = await startEgressProxy({ allow: [fixture.hostPort], allowOnly: true, resolver: noDnsResolver });
  const config = parseConfig({ CAPTURE_CONCURRENCY: '1', CAPTURE_TIMEOUT_MS: '60000' });
  const pool = await launchBrowserPool({ config, args: proxy.chromiumArgs(), contextOptions: proxy.contextOptions() });
  const rows: Row[] = [];
  try {
    for (const page of pages) {
      const row = await measure(pool, fixture.url(`/corpus/${page}`), proxy);
      rows.push({ page, oldBytes: row.oldBytes, newBytes: row.newBytes, inlined: row.inlined, missing: row.missing });
    }
  } finally {
    await pool.close();
    await proxy.close();
    await fixture.close();
  }
  console.log('| page | page.content() bytes | self-contained bytes | change | inlined | not recorded |');
  console.log('|---|---:|---:|---:|---:|---:|');
  for (const r of rows) {
    const change = `${(((r.newBytes - r.oldBytes) / r.oldBytes) * 100).toFixed(1)} %`;
    console.log(`| ${r.page} | ${r.oldBytes} | ${r.newBytes} | ${change} | ${r.inlined} | ${r.missing} |`);
  }
}

await main();
