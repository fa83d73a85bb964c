/**
 * `snap`: the LinkSnap command line. Each command is a few calls to the public REST API;
 * errors are the API's problem documents (title: detail) with a non-zero exit code:
 * 1 API error or failed capture, 2 usage, 3 server unreachable.
 */
import { createWriteStream, readFileSync, statSync, writeFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { parseArgs } from 'node:util';
import { isEntryPoint } from '@linksnap/shared/entry-point';
import { submitBatch } from './batch.js';
import { answer, CliError, Client } from './client.js';
import { configPath, loadCliConfig, saveCliConfig } from './config-store.js';
import { ProgressBars } from './progress.js';
import { describeVerification, verifyFile } from './verify.js';

export const USAGE = `Usage: snap <command> [options]

  login [--url URL] (--token TOKEN | --email EMAIL --password PASSWORD)
                               store the server URL and a token in ${'~/.config/linksnap/config.json'}
  add URL... [--tag T]... [--wait]
                               save links; --wait follows each capture with a progress bar
  ls [--tag T]... [--q TEXT] [--limit N]
                               list links, newest first
  show ID                      one link and its latest snapshot
  get ID --artifact KIND [-o FILE]
                               download an artifact (screenshot, pdf, html, text, ...) of a link's
                               latest snapshot (ID may also be a snapshot id)
  import FILE                  import a Netscape bookmark file (folders become tags)
  export [-o FILE]             export every link as a bookmark file
  export --wacz [LINK_ID] [-o FILE]
                               with archives: a zip of the bookmark file and each link's WACZ
                               (linksnap-export.zip); with LINK_ID, that link's versions merged
                               into one WACZ (LINK_ID.wacz)
  verify FILE [--key KEY]      check a downloaded .wacz offline: hashes, signature and, with
                               KEY (the instance's base64 public key), who signed it

Every command takes --json (machine-readable output). LINKSNAP_URL and LINKSNAP_TOKEN
override the stored settings.`;

export interface Io {
  stdout: { write(s: string): boolean; isTTY?: boolean };
  stderr: { write(s: string): boolean };
  env: Record<string, string | undefined>;
}

const FINAL = new Set(['succeeded', 'partial', 'failed']);

const OPTIONS = {
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  url: { type: 'string' },
  token: { type: 'string' },
  email: { type: 'string' },
  password: { type: 'string' },
  tag: { type: 'string', multiple: true },
  wait: { type: 'boolean' },
  q: { type: 'string' },
  limit: { type: 'string' },
  artifact: { type: 'string' },
  output: { type: 'string', short: 'o' },
  wacz: { type: 'boolean' },
  key: { type: 'string' },
} as const;

type Print = (human: string, data: unknown) => void;
type Values = ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true }>>['values'];

/** Archives are binary and may be large: always a file, streamed to disk. */
async function exportArchives(
  client: Client,
  linkId: string | undefined,
  values: Values,
  print: (human: string, data: unknown) => void,
) {
  const file = values.output ?? (linkId ? `${linkId}.wacz` : 'linksnap-export.zip');
  if (file === '-') throw new CliError('an archive export is binary: give -o FILE', 2);
  const body = await answer(
    linkId
      ? client.api.GET('/v1/links/{id}/export.wacz', { params: { path: { id: linkId } }, parseAs: 'stream' })
      : client.api.GET('/v1/export', { params: { query: { archives: 'wacz' } }, parseAs: 'stream' }),
  );
  if (!body) throw new CliError('The server sent an empty export.');
  await pipeline(Readable.fromWeb(body as WebReadableStream), createWriteStream(file));
  const bytes = statSync(file).size;
  print(`${file} (${bytes} bytes)`, { file, bytes, ...(linkId ? { linkId } : {}) });
  return 0;
}

export async function main(
  argv: string[],
  io: Io = { stdout: process.stdout, stderr: process.stderr, env: process.env },
) {
  let values: Values;
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true }));
  } catch (err) {
    io.stderr.write(`snap: ${(err as Error).message}\n\n${USAGE}\n`);
    return 2;
  }
  const [command, ...args] = positionals;
  if (values.help || !command) {
    io.stdout.write(`${USAGE}\n`);
    return command || values.help ? 0 : 2;
  }
  const print = (human: string, data: unknown) =>
    io.stdout.write(values.json ? `${JSON.stringify(data)}\n` : `${human}\n`);
  try {
    if (command === 'verify') {
      const file = required(args[0], 'verify needs a .wacz file');
      const result = verifyFile(file, values.key);
      print(describeVerification(file, result, values.key !== undefined), result);
      return 0;
    }
    const config = loadCliConfig(io.env);
    const client = new Client(config);
    switch (command) {
      case 'login':
        return await login(values, io, print);
      case 'add':
        return await add(client, args, values, io, print);
      case 'ls':
        return await list(client, args, values, io, print);
      case 'show':
        return await show(client, args, values, io, print);
      case 'get':
        return await get(client, args, values, io, print);
      case 'import':
        return await importBookmarks(client, args, values, io, print);
      case 'export':
        return await exportLinks(client, args, values, io, print);
      default:
        throw new CliError(`unknown command "${command}"\n\n${USAGE}`, 2);
    }
  } catch (err) {
    if (err instanceof CliError) {
      if (values.json && err.problem) io.stdout.write(`${JSON.stringify(err.problem)}\n`);
      io.stderr.write(`snap: ${err.message}\n`);
      return err.exitCode;
    }
    io.stderr.write(`snap: ${(err as Error).message}\n`);
    return 1;
  }
}

/** Lists links (filters: --tag, --q, --limit). */
async function list(client: Client, _args: string[], values: Values, _io: Io, print: Print): Promise<number> {
  const query = {
    tag: values.tag,
    q: values.q || undefined,
    // Not a number: the API answers what is wrong with it, as it would with the text.
    limit: values.limit ? Number(values.limit) : undefined,
  };
  const page = await answer(client.api.GET('/v1/links', { params: { query } }));
  const lines = page.items.map(
    (l) =>
      `${l.id}  ${(l.latestSnapshot?.status ?? '-').padEnd(9)}  ${l.url}${l.tags.length ? `  [${l.tags.map((t) => t.name).join(', ')}]` : ''}`,
  );
  print(lines.join('\n') || '(no links)', page);
  return 0;
}

/** One link with its latest snapshot. */
async function show(client: Client, args: string[], _values: Values, _io: Io, print: Print): Promise<number> {
  const id = required(args[0], 'show needs a link id');
  const link = await answer(client.api.GET('/v1/links/{id}', { params: { path: { id } } }));
  const snapshot = link.latestSnapshot
    ? await answer(client.api.GET('/v1/snapshots/{id}', { params: { path: { id: link.latestSnapshot.id } } }))
    : null;
  const human = [
    `${link.title ?? '(untitled)'}`,
    `  url:      ${link.url}`,
    `  tags:     ${link.tags.map((t) => t.name).join(', ') || '-'}`,
    `  snapshot: ${link.latestSnapshot ? `${link.latestSnapshot.id} (${link.latestSnapshot.status})` : '-'}`,
    ...(snapshot ? [`  artifacts: ${snapshot.artifacts.map((a) => a.kind).join(', ') || '-'}`] : []),
  ].join('\n');
  print(human, { link, snapshot });
  return 0;
}

/** An artifact of a snapshot (or of a link's latest), to a file or stdout. */
async function get(client: Client, args: string[], values: Values, io: Io, print: Print): Promise<number> {
  const id = required(args[0], 'get needs a link or snapshot id');
  const kind = required(values.artifact, 'get needs --artifact KIND (screenshot, pdf, html, text, ...)');
  let snapshotId = id;
  try {
    const link = await answer(client.api.GET('/v1/links/{id}', { params: { path: { id } } }));
    if (!link.latestSnapshot) throw new CliError('This link has no snapshot yet.');
    snapshotId = link.latestSnapshot.id;
  } catch (err) {
    if (!(err instanceof CliError && err.problem?.status === 404)) throw err;
  }
  const body = await answer(
    client.api.GET('/v1/snapshots/{id}/artifacts/{kind}', {
      params: { path: { id: snapshotId, kind } },
      parseAs: 'arrayBuffer',
    }),
  );
  const bytes = Buffer.from(body ?? new ArrayBuffer(0));
  const file = values.output ?? `${snapshotId}.${kind}`;
  if (file === '-') io.stdout.write(bytes.toString('utf8'));
  else writeFileSync(file, bytes);
  if (file !== '-') print(`${file} (${bytes.length} bytes)`, { file, bytes: bytes.length, snapshotId, kind });
  return 0;
}

/** Imports a Netscape bookmark file. */
async function importBookmarks(
  client: Client,
  args: string[],
  _values: Values,
  _io: Io,
  print: Print,
): Promise<number> {
  const file = required(args[0], 'import needs a bookmark file');
  const html = readFileSync(file, 'utf8');
  const report = await answer(
    client.api.POST('/v1/import', {
      body: html,
      bodySerializer: (body) => body,
      headers: { 'content-type': 'text/html' },
    }),
  );
  print(
    Object.entries(report)
      .filter(([, v]) => typeof v === 'number')
      .map(([k, v]) => `${k}: ${v}`)
      .join('\n'),
    report,
  );
  return 0;
}

/** The bookmarks as HTML, or with --wacz the archives. */
async function exportLinks(client: Client, args: string[], values: Values, io: Io, print: Print): Promise<number> {
  if (values.wacz) return await exportArchives(client, args[0], values, print);
  const html = (await answer(client.api.GET('/v1/export', { parseAs: 'text' }))) ?? '';
  if (values.output) {
    writeFileSync(values.output, html);
    print(values.output, { file: values.output, bytes: Buffer.byteLength(html) });
  } else io.stdout.write(html);
  return 0;
}

function required(value: string | undefined, message: string): string {
  if (!value) throw new CliError(message, 2);
  return value;
}

async function login(values: Values, io: Io, print: (h: string, d: unknown) => void): Promise<number> {
  const current = loadCliConfig(io.env);
  const url = (values.url ?? current.url).replace(/\/+$/, '');
  let token = values.token;
  if (!token) {
    const email = required(values.email, 'login needs --token, or --email and --password');
    const password = required(values.password, 'login needs --password with --email');
    const session = await answer(new Client({ url }).api.POST('/v1/auth/login', { body: { email, password } }));
    token = session.token;
  }
  // Check the token before storing it.
  await answer(new Client({ url, token }).api.GET('/v1/links', { params: { query: { limit: 1 } } }));
  const file = saveCliConfig({ url, token }, io.env);
  print(`logged in to ${url} (saved in ${file})`, { url, configPath: configPath(io.env) });
  return 0;
}

async function add(client: Client, urls: string[], values: Values, io: Io, print: (h: string, d: unknown) => void) {
  if (urls.length === 0) throw new CliError('add needs at least one URL', 2);
  const tags = values.tag ?? [];
  const created = await submitBatch(client, urls, tags);
  for (const c of created) if (c.error) io.stderr.write(`snap: ${c.url}: ${c.error}\n`);
  let failed = created.filter((c) => c.error).length;
  if (!values.wait) {
    print(
      created.map((c) => (c.error ? `${c.url}: ${c.error}` : `${c.snapshotId}  queued  ${c.url}`)).join('\n'),
      created.map((c) => ({ url: c.url, linkId: c.link?.id, snapshotId: c.snapshotId, error: c.error ?? null })),
    );
    return failed > 0 ? 1 : 0;
  }
  const bars = values.json ? null : new ProgressBars(io.stderr);
  const finals = await Promise.all(
    created.map(async (c) => {
      if (!c.snapshotId) return null;
      const row = bars?.add(c.url) ?? 0;
      let final: Record<string, unknown> | null = null;
      await client.events(c.snapshotId, (event) => {
        const data = JSON.parse(event.data);
        if (event.event === 'progress') bars?.update(row, c.url, data.stage, data.percent);
        else if (event.event === 'state') {
          bars?.update(row, c.url, data.state, FINAL.has(data.state) ? 100 : (data.progress?.percent ?? 0));
          if (FINAL.has(data.state)) final = data;
        }
      });
      return final as Record<string, unknown> | null;
    }),
  );
  const results = created.map((c, i) => {
    const job = finals[i] as { state?: string; error?: { title: string; detail: string } | null } | null;
    if (c.snapshotId && job?.state !== 'succeeded' && job?.state !== 'partial') failed++;
    return {
      url: c.url,
      linkId: c.link?.id,
      snapshotId: c.snapshotId,
      state: job?.state ?? null,
      error: job?.error ?? c.error ?? null,
    };
  });
  print(
    results
      .map((r) => {
        const err =
          r.error && typeof r.error === 'object'
            ? `  ${r.error.title}: ${r.error.detail}`
            : r.error
              ? `  ${r.error}`
              : '';
        return `${r.snapshotId ?? '-'}  ${r.state ?? 'error'}  ${r.url}${err}`;
      })
      .join('\n'),
    results,
  );
  return failed > 0 ? 1 : 0;
}

// `node --import tsx services/cli/src/main.ts …` runs it directly; bin/snap.mjs imports it.
if (isEntryPoint(import.meta.url)) process.exitCode = await main(process.argv.slice(2));
