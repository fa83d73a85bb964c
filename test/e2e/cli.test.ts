/**
 * The `snap` CLI against a real stack: login stores a 0600 config, add --wait follows the
 * capture to the end, ls/show/get/export/import, and API errors come out as title: detail
 * with a non-zero exit code.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { type FixtureServer, startFixtureServer } from '../support/fixture-server.js';
import { tempDir } from '../support/services.js';
import { Stack } from '../support/stack.js';

const SNAP = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../services/cli/bin/snap.mjs');

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function snap(args: string[], env: Record<string, string>): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [SNAP, ...args], {
      env: { PATH: process.env.PATH ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('snap CLI', () => {
  let fixture: FixtureServer;
  let stack: Stack;
  let home: string;
  let env: Record<string, string>;

  before(async () => {
    fixture = await startFixtureServer();
    stack = await Stack.start({ allow: [fixture.hostPort] });
    home = tempDir('linksnap-cli-');
    env = { HOME: home, XDG_CONFIG_HOME: '' };
  });
  after(async () => {
    await stack?.close();
    await fixture?.close();
  });

  it('logs in, adds a link and follows it to the end, then lists, shows and downloads it', async () => {
    const user = await stack.user();
    const login = await snap(
      ['login', '--url', stack.baseUrl, '--email', user.email, '--password', 'correct horse battery'],
      env,
    );
    assert.equal(login.code, 0, login.stderr);
    const file = path.join(home, '.config/linksnap/config.json');
    assert.equal(statSync(file).mode & 0o777, 0o600);
    assert.equal(JSON.parse(readFileSync(file, 'utf8')).url, stack.baseUrl);

    const url = fixture.url('/simple');
    const add = await snap(['add', url, '--tag', 'cli', '--wait'], env);
    assert.equal(add.code, 0, `${add.stdout}\n${add.stderr}\n${stack.logs()}`);
    assert.match(add.stdout, /succeeded/);
    assert.match(add.stderr, /100%/, 'a progress bar reached 100%');

    const ls = await snap(['ls', '--tag', 'cli', '--json'], env);
    assert.equal(ls.code, 0, ls.stderr);
    const items = JSON.parse(ls.stdout).items as { id: string; url: string }[];
    assert.equal(items.length, 1);
    assert.equal(items[0]?.url, url);
    const linkId = items[0]?.id as string;

    const show = await snap(['show', linkId], env);
    assert.equal(show.code, 0, show.stderr);
    assert.ok(show.stdout.includes(url));
    assert.match(show.stdout, /pdf/);

    const pdf = path.join(home, 'page.pdf');
    const get = await snap(['get', linkId, '--artifact', 'pdf', '-o', pdf], env);
    assert.equal(get.code, 0, get.stderr);
    assert.equal(readFileSync(pdf).subarray(0, 5).toString(), '%PDF-');

    const exported = path.join(home, 'bookmarks.html');
    const exp = await snap(['export', '-o', exported], env);
    assert.equal(exp.code, 0, exp.stderr);
    assert.ok(readFileSync(exported, 'utf8').includes(url));

    // Another account imports that file, through the environment instead of the stored login.
    const other = await stack.user();
    const otherEnv = { ...env, LINKSNAP_URL: stack.baseUrl, LINKSNAP_TOKEN: other.token };
    const imp = await snap(['import', exported, '--json'], otherEnv);
    assert.equal(imp.code, 0, imp.stderr);
    const otherLs = await snap(['ls', '--json'], otherEnv);
    assert.equal(JSON.parse(otherLs.stdout).items[0]?.url, url);
  });

  it('adds several URLs in one batch call, following each good one and reporting each bad one', async () => {
    const user = await stack.user();
    const userEnv = { ...env, LINKSNAP_URL: stack.baseUrl, LINKSNAP_TOKEN: user.token };
    const [first, second] = [fixture.url('/simple?batch=1'), fixture.url('/second?batch=1')];
    const add = await snap(['add', first, 'ftp://example.com/x', second, first, '--wait'], userEnv);
    assert.equal(add.code, 1, `${add.stdout}\n${add.stderr}`);
    const lines = add.stdout.trim().split('\n');
    assert.equal(lines.length, 4, add.stdout);
    assert.match(lines[0] ?? '', /succeeded|partial/);
    assert.match(lines[1] ?? '', /error {2}ftp:\/\/example\.com\/x {2}.+: .+/);
    assert.match(lines[2] ?? '', /succeeded|partial/);
    assert.match(lines[3] ?? '', /error .*already saved/i, 'the repeat names the duplicate');
    // Bars redraw in place: each saved link's row shows 100% at least once.
    assert.ok((add.stderr.match(/100%/g)?.length ?? 0) >= 2, 'a progress bar per saved link reached 100%');
  });

  it('reports API errors as title: detail with a non-zero exit code', async () => {
    const user = await stack.user();
    const userEnv = { ...env, LINKSNAP_URL: stack.baseUrl, LINKSNAP_TOKEN: user.token };
    const bad = await snap(['add', 'ftp://example.com/x'], userEnv);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /^snap: ftp:\/\/example\.com\/x: .+: .+/, 'title: detail from the problem');

    const json = await snap(['show', crypto.randomUUID(), '--json'], userEnv);
    assert.equal(json.code, 1);
    assert.equal(JSON.parse(json.stdout).code, 'NOT_FOUND');

    const anonymous = await snap(['ls'], { ...env, LINKSNAP_URL: stack.baseUrl, LINKSNAP_TOKEN: 'nope' });
    assert.equal(anonymous.code, 1);
    assert.match(anonymous.stderr, /snap login/);

    const usage = await snap(['get', 'x'], userEnv);
    assert.equal(usage.code, 2);
    const unreachable = await snap(['ls'], { ...env, LINKSNAP_URL: 'http://127.0.0.1:9', LINKSNAP_TOKEN: 't' });
    assert.equal(unreachable.code, 3);
  });
});
