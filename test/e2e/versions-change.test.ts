/**
 * Versions that track change, against one real stack with two API processes: a page whose one
 * paragraph changes diffs to exactly that change (text and screenshot boxes); a page that
 * starts answering 404, and one that answers 200 "Page not found", leave their link dead with
 * its last good copy shown, and webhooks fire; a one-minute cron schedule fires once a minute
 * across both API processes and survives a restart of one of them.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { redisOptions } from '@linksnap/shared';
import { CHROMIUM_ARGS } from '@linksnap/snapshotter/browser-pool';
import { Queue } from 'bullmq';
import puppeteer from 'puppeteer-core';
import { type FixtureServer, simplePage, startFixtureServer } from '../support/fixture-server.js';
import { Stack } from '../support/stack.js';

/** Three one-line paragraphs at fixed places: the second is the one that changes. */
const PARAGRAPH = { x: 40, y: 300, width: 900, height: 30 };
function layoutPage(counter: string): string {
  const line = (text: string) => `<p>${text}</p>`;
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Fixture: the counter page</title>
<style>body{margin:0;padding:100px 40px 0;font:20px/30px sans-serif;background:#fff;color:#111}
p{margin:0 0 170px;height:30px;width:900px;white-space:nowrap;overflow:hidden}</style></head>
<body><article>${line('Marigold stays where it is, a stable paragraph at the top of the article.')}
${line(`Today the counter reads ${counter} and nothing else on this line moved.`)}
${line('Juniper stays where it is as well, a stable paragraph at the bottom of the page.')}</article></body></html>`;
}

const SOFT_404 = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Page not found</title></head>
<body><h1>Page not found</h1><p>Sorry, the page you are looking for does not exist.</p></body></html>`;

interface Delivery {
  event: string;
  data: { linkId: string; snapshotId: string; change: { status: string; text: string | null }; deadAt?: string };
}

describe('versions: change detection, diffs, dead links and schedules', () => {
  let fixture: FixtureServer;
  let stack: Stack;
  let recaptures: Queue;
  let token: string;
  let email: string;
  let counterLinkId = '';
  let deadLinkId = '';
  const deliveries: Delivery[] = [];
  let counter = '1111';
  let dying = false;
  let soft = false;
  let scheduledLinkId = '';
  let firstScheduledSnapshot = '';

  before(async () => {
    fixture = await startFixtureServer();
    const html = (res: import('node:http').ServerResponse, status: number, body: string) => {
      res.writeHead(status, { 'content-type': 'text/html; charset=utf-8' });
      res.end(body);
    };
    fixture.route('/counter', (_req, res) => html(res, 200, layoutPage(counter)));
    fixture.route('/dying', (_req, res) =>
      dying
        ? html(res, 404, simplePage('Fixture: not found', 'This page answers with status 404'))
        : html(res, 200, simplePage('Fixture: the dying page', 'Quillwort archives before the page dies')),
    );
    fixture.route('/soft', (_req, res) =>
      html(res, 200, soft ? SOFT_404 : simplePage('Fixture: the soft page', 'Saxifrage archives before the soft 404')),
    );
    fixture.route('/scheduled', (_req, res) => html(res, 200, simplePage('Fixture: scheduled', 'Scheduled captures')));
    fixture.route('/hook', (req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        deliveries.push(JSON.parse(body) as Delivery);
        res.writeHead(204).end();
      });
    });
    stack = await Stack.start({ allow: [fixture.hostPort], env: { SCHEDULE_MIN_INTERVAL: '60s' } });
    recaptures = new Queue('recaptures', {
      connection: redisOptions(stack.env.REDIS_URL as string),
      prefix: stack.env.QUEUE_PREFIX,
    });
    await stack.startReplica();
    ({ token, email } = await stack.user());
    const hook = await stack.request('POST', '/v1/webhooks', {
      token,
      json: { url: fixture.url('/hook'), events: ['snapshot.changed', 'link.dead'] },
    });
    assert.equal(hook.status, 201, JSON.stringify(hook.body));
    // The schedule starts first: its minutes pass while the other cases run.
    const first = await stack.request('POST', '/v1/links', { token, json: { url: fixture.url('/scheduled') } });
    scheduledLinkId = first.body.link.id;
    firstScheduledSnapshot = first.body.snapshot.id;
    const put = await stack.request('PUT', `/v1/links/${scheduledLinkId}/schedule`, {
      token,
      json: { every: '* * * * *' },
    });
    assert.equal(put.status, 200, JSON.stringify(put.body));
    assert.equal(put.body.every, '* * * * *');
    assert.ok(Date.parse(put.body.nextCaptureAt) > Date.now() - 1000, 'the next capture is ahead');
  });
  after(async () => {
    await recaptures?.obliterate({ force: true }).catch(() => {});
    await recaptures?.close();
    await stack?.close();
    await fixture?.close();
  });

  async function save(path: string): Promise<{ linkId: string; snapshotId: string }> {
    const res = await stack.request('POST', '/v1/links', { token, json: { url: fixture.url(path) } });
    assert.equal(res.status, 202, JSON.stringify(res.body));
    await stack.waitForJob(res.body.snapshot.id, token, 90_000);
    return { linkId: res.body.link.id, snapshotId: res.body.snapshot.id };
  }

  async function captureAgain(linkId: string): Promise<string> {
    const res = await stack.request('POST', `/v1/links/${linkId}/snapshots`, { token });
    assert.equal(res.status, 202);
    await stack.waitForJob(res.body.snapshot.id, token, 90_000);
    return res.body.snapshot.id;
  }

  async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = await probe();
      if (value !== undefined) return value;
      if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms\n${stack.logs()}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }

  it('diffs a changed paragraph to exactly that change, in text and in screenshot boxes', async () => {
    const { linkId, snapshotId: before } = await save('/counter');
    counterLinkId = linkId;
    counter = '2222';
    const after = await captureAgain(linkId);

    const snapshot = await stack.request('GET', `/v1/snapshots/${after}`, { token });
    assert.equal(snapshot.body.change.text, 'changed');
    assert.equal(snapshot.body.change.status, 'same');
    assert.ok(snapshot.body.change.visual > 0 && snapshot.body.change.visual < 0.05, `${snapshot.body.change.visual}`);

    const diff = await stack.request('GET', `/v1/snapshots/${after}/diff?against=${before}`, { token });
    assert.equal(diff.status, 200, JSON.stringify(diff.body));
    const changes = diff.body.text.filter((op: { op: string }) => op.op !== 'equal');
    assert.deepEqual(changes, [
      { op: 'delete', text: '1111' },
      { op: 'insert', text: '2222' },
    ]);
    const boxes = diff.body.visual.boxes as { x: number; y: number; width: number; height: number }[];
    assert.ok(boxes.length > 0, 'the changed paragraph is boxed');
    const slack = 16; // boxes are whole 16 px grid cells
    for (const box of boxes) {
      assert.ok(
        box.y >= PARAGRAPH.y - slack && box.y + box.height <= PARAGRAPH.y + PARAGRAPH.height + slack,
        JSON.stringify(box),
      );
      assert.ok(
        box.x >= PARAGRAPH.x - slack && box.x + box.width <= PARAGRAPH.x + PARAGRAPH.width + slack,
        JSON.stringify(box),
      );
    }
    const image = await stack.download(diff.body.imageUrl, token);
    assert.equal(image.status, 200);
    assert.equal(image.headers.get('content-type'), 'image/png');
    assert.equal(image.bytes.subarray(1, 4).toString(), 'PNG');

    const events = await stack.download(`/v1/jobs/${after}/events`, token);
    assert.match(events.bytes.toString(), /event: snapshot\.changed\ndata: .*"text":"changed"/);
    const changed = await waitFor('snapshot.changed webhook', async () =>
      deliveries.find((d) => d.event === 'snapshot.changed' && d.data.snapshotId === after),
    );
    assert.equal(changed.data.change.text, 'changed');

    // Another user's version, or a version of another link, is not found.
    const stranger = (await stack.user()).token;
    const foreign = await stack.request('GET', `/v1/snapshots/${after}/diff?against=${before}`, { token: stranger });
    assert.equal(foreign.status, 404);
    assert.match(foreign.contentType, /^application\/problem\+json/);
    const other = await save('/simple');
    const mixed = await stack.request('GET', `/v1/snapshots/${after}/diff?against=${other.snapshotId}`, { token });
    assert.equal(mixed.status, 404);
  });

  for (const [path, word, turn] of [
    ['/dying', 'quillwort', () => (dying = true)],
    ['/soft', 'saxifrage', () => (soft = true)],
  ] as const) {
    it(`marks the link dead when ${path} is gone, keeping its last good copy and firing link.dead`, async () => {
      const { linkId, snapshotId: good } = await save(path);
      deadLinkId = linkId;
      turn();
      const gone = await captureAgain(linkId);
      const snapshot = await stack.request('GET', `/v1/snapshots/${gone}`, { token });
      assert.equal(snapshot.body.change.status, 'gone');

      const link = await stack.request('GET', `/v1/links/${linkId}`, { token });
      assert.ok(link.body.deadAt, 'the link is dead');
      assert.equal(link.body.latestSnapshot.id, gone);
      assert.equal(link.body.lastGoodSnapshotId, good, 'it keeps its last good copy');

      const found = await waitFor('search finds the last good copy', async () => {
        const list = await stack.request('GET', `/v1/links?q=${word}`, { token });
        return list.body.items.find((i: { id: string }) => i.id === linkId);
      });
      assert.ok(found.deadAt);
      assert.equal(found.lastGoodSnapshot.id, good);
      assert.equal(found.thumbnailUrl, `/v1/snapshots/${good}/artifacts/thumbnail`);

      const events = await stack.download(`/v1/jobs/${gone}/events`, token);
      assert.match(events.bytes.toString(), /event: link\.dead\ndata: .*"status":"gone"/);
      const dead = await waitFor('link.dead webhook', async () =>
        deliveries.find((d) => d.event === 'link.dead' && d.data.linkId === linkId),
      );
      assert.equal(dead.data.snapshotId, gone);
      assert.equal(dead.data.deadAt, link.body.deadAt);
    });
  }

  it('shows the compare view, the schedule control and the gone badge in the web UI', async () => {
    const browser = await puppeteer.launch({
      executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
      headless: true,
      args: [...CHROMIUM_ARGS, '--lang=en-US'],
    });
    try {
      const page = await browser.newPage();
      page.setDefaultTimeout(30_000);
      await page.goto(stack.baseUrl, { waitUntil: 'networkidle0' });
      await page.waitForSelector('#auth-email');
      await page.type('#auth-email', email);
      await page.type('#auth-password', 'correct horse battery');
      await page.click('.auth button[type="submit"]');
      await page.waitForSelector('#add-urls');
      await page.goto(`${stack.baseUrl}/links/${counterLinkId}`, { waitUntil: 'networkidle0' });
      await page.waitForSelector(`#schedule-${counterLinkId}`);
      const compare = await page.waitForSelector('button[aria-pressed]');
      await compare?.click();
      await page.waitForSelector('.text-diff ins');
      assert.equal(await page.$eval('.text-diff ins', (el) => el.textContent), '2222');
      assert.equal(await page.$eval('.text-diff del', (el) => el.textContent), '1111');
      assert.equal((await page.$$('.compare-shot')).length, 2);
      assert.ok((await page.$$('.change-box')).length >= 2, 'boxes drawn on both screenshots');
      await page.goto(`${stack.baseUrl}/links/${deadLinkId}`, { waitUntil: 'networkidle0' });
      const gone = await page.waitForSelector('.badge-dead');
      assert.match(String(await gone?.evaluate((el) => el.textContent)), /^Gone since .+/);
    } finally {
      await browser.close();
    }
  });

  it('refuses schedules more often than the minimum and cron strings that do not parse', async () => {
    const { linkId } = await save('/simple?v=2');
    const often = await stack.request('PUT', `/v1/links/${linkId}/schedule`, {
      token,
      json: { every: '*/10 * * * * *' },
    });
    assert.equal(often.status, 400);
    assert.match(often.contentType, /^application\/problem\+json/);
    assert.match(often.body.detail, /more often/);
    const garbage = await stack.request('PUT', `/v1/links/${linkId}/schedule`, {
      token,
      json: { every: 'every tuesday' },
    });
    assert.equal(garbage.status, 400);
    assert.match(garbage.body.detail, /not a cron expression/);
    const stranger = (await stack.user()).token;
    const foreign = await stack.request('PUT', `/v1/links/${linkId}/schedule`, {
      token: stranger,
      json: { every: 'daily' },
    });
    assert.equal(foreign.status, 404);

    // A deleted link's schedule stops.
    const daily = await stack.request('PUT', `/v1/links/${linkId}/schedule`, { token, json: { every: 'daily' } });
    assert.equal(daily.status, 200);
    assert.ok(await recaptures.getJobScheduler(`link-${linkId}`), 'the scheduler exists');
    assert.equal((await stack.request('DELETE', `/v1/links/${linkId}`, { token })).status, 204);
    assert.equal(await recaptures.getJobScheduler(`link-${linkId}`), undefined, 'the scheduler is gone');
  });

  it('fires a one-minute cron once a minute across two API processes, through a restart', async () => {
    const scheduled = async () => {
      const res = await stack.request('GET', `/v1/links/${scheduledLinkId}/snapshots`, { token });
      return (res.body.items as { id: string; requestedAt: string }[]).filter((v) => v.id !== firstScheduledSnapshot);
    };
    await waitFor(
      'a first scheduled capture',
      async () => ((await scheduled()).length >= 1 ? true : undefined),
      80_000,
    );
    // Restart the first API process: the schedule lives in Redis, the replica keeps running.
    await stack.api?.stop(10_000);
    await stack.startApi();
    const versions = await waitFor(
      'a second scheduled capture',
      async () => {
        const list = await scheduled();
        return list.length >= 2 ? list : undefined;
      },
      80_000,
    );
    const minutes = versions.map((v) => v.requestedAt.slice(0, 16));
    assert.equal(new Set(minutes).size, minutes.length, `one capture per minute: ${minutes.join(', ')}`);
    const link = await stack.request('GET', `/v1/links/${scheduledLinkId}`, { token });
    assert.deepEqual(link.body.schedule, { every: '* * * * *', source: 'link', tagId: null });
    assert.ok(Date.parse(link.body.nextCaptureAt) > Date.now() - 1000);
    assert.equal((await stack.request('DELETE', `/v1/links/${scheduledLinkId}/schedule`, { token })).status, 204);
    assert.equal(await recaptures.getJobScheduler(`link-${scheduledLinkId}`), undefined);
  });
});
