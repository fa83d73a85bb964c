/**
 * Fixture pages for clean captures: a consent overlay built like OneTrust's banner, one built
 * like Sourcepoint's (its dialog in an iframe from another origin, a listener on 127.0.0.3, so
 * Chromium runs it in a process of its own), a page whose ads come from a loopback "ad host"
 * (a counting listener on 127.0.0.2), a "load more"
 * button, and titles of the three kinds Readability's rule must handle (entities, an en-dash
 * site separator, a title taken from the page's only heading).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FixtureServer } from './fixture-server.js';

export const CONSENT_ARTICLE = 'The river archive opens its doors to every reader';
export const LOAD_MORE_SECRET = 'This paragraph only exists after the button is pressed';
export const ARTICLE_BODY =
  `<p>${'An article paragraph long enough to count as content, with commas, clauses, and detail. '.repeat(8)}</p>`.repeat(
    4,
  );

export const TITLES = {
  entities: {
    title: 'Tom &amp; Jerry&#8217;s &quot;best&quot; episodes ranked by fans',
    want: 'Tom & Jerry’s "best" episodes ranked by fans',
  },
  enDash: {
    title: 'How the quiet river found its way home &#8211; The Daily Example',
    want: 'How the quiet river found its way home',
  },
  fromContent: {
    title: 'Home',
    h1: 'A headline written only in the page itself',
    want: 'A headline written only in the page itself',
  },
};

function page(title: string, body: string, head = ''): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${title}</title>${head}</head><body>${body}</body></html>`;
}

/** A full-window OneTrust-style banner over the article; "Reject All" removes it. */
function consentPage(): string {
  return page(
    'Fixture: an article behind a consent banner',
    `<main style="background: rgb(255,255,255)"><h1>${CONSENT_ARTICLE}</h1>${ARTICLE_BODY}</main>
<div id="onetrust-consent-sdk">
  <div id="onetrust-banner-sdk" role="dialog" aria-label="Cookie banner"
       style="position:fixed; inset:0; z-index:2147483000; background: rgb(200,0,0); color: white; padding: 40px">
    <p id="onetrust-policy-text">We and our partners use cookies to personalise ads.</p>
    <button id="onetrust-pc-btn-handler">Cookie settings</button>
    <button id="onetrust-reject-all-handler">Reject All</button>
    <button id="onetrust-accept-btn-handler">Accept All Cookies</button>
  </div>
</div>
<script>
  document.getElementById('onetrust-reject-all-handler').addEventListener('click', () => {
    document.cookie = 'OptanonConsent=rejected; path=/';
    document.getElementById('onetrust-consent-sdk').remove();
  });
  document.getElementById('onetrust-accept-btn-handler').addEventListener('click', () => {
    document.cookie = 'OptanonConsent=accepted; path=/';
    document.getElementById('onetrust-consent-sdk').remove();
  });
</script>`,
  );
}

/**
 * Sourcepoint's layout: the page holds a full-window container with an iframe from the
 * platform's host; the dialog and its buttons are inside the iframe, which tells the page
 * (postMessage) to remove the container once answered.
 */
function framedConsentPage(frameOrigin: string): string {
  return page(
    'Fixture: an article behind a consent dialog in an iframe',
    `<main style="background: rgb(255,255,255)"><h1>${CONSENT_ARTICLE}</h1>${ARTICLE_BODY}</main>
<div id="sp_message_container_1234" style="position:fixed; inset:0; z-index:2147483000; background: rgb(200,0,0)">
  <iframe id="sp_message_iframe_1234" title="SP Consent Message" style="width:100%; height:100%; border:0"
          src="${frameOrigin}/index.html?message_id=1234&amp;consentUUID=fixture"></iframe>
</div>
<script>
  addEventListener('message', (event) => {
    if (event.origin === ${JSON.stringify(frameOrigin)} && event.data && event.data.sp === 'choice') {
      document.cookie = 'consent=' + event.data.choice + '; path=/';
      document.body.dataset.consent = event.data.choice;
      document.getElementById('sp_message_container_1234').remove();
    }
  });
</script>`,
  );
}

/** The dialog inside Sourcepoint's iframe: accept, options, and reject-all (choice type 13). */
function framedConsentDialog(): string {
  return page(
    'SP Consent Message',
    `<div class="message-container" style="background: rgb(200,0,0); color: white; padding: 40px">
  <p>We and our partners store and access information on your device.</p>
  <button class="message-component message-button sp_choice_type_11" data-choice="accept">Accept all</button>
  <button class="message-component message-button sp_choice_type_12">Options</button>
  <button class="message-component message-button sp_choice_type_13" data-choice="reject">Reject all</button>
</div>
<script>
  for (const button of document.querySelectorAll('[data-choice]')) {
    button.addEventListener('click', () => parent.postMessage({ sp: 'choice', choice: button.dataset.choice }, '*'));
  }
</script>`,
  );
}

/**
 * Consent banners that misbehave: `stuck` ignores every click (the banner stays), `throws`
 * makes every click on its buttons throw. Neither may fail or stall the capture.
 */
function brokenConsentPage(kind: 'stuck' | 'throws'): string {
  const script =
    kind === 'throws'
      ? `for (const b of document.querySelectorAll('#onetrust-banner-sdk button')) b.click = () => { throw new Error('consent rule broke'); };`
      : `setInterval(() => { document.getElementById('onetrust-banner-sdk').style.display = 'block'; }, 50);`;
  return consentPage()
    .replace(/<script>[\s\S]*<\/script>/, `<script>${script}</script>`)
    .replace('an article behind a consent banner', `a ${kind} consent banner`);
}

function adsPage(adOrigin: string): string {
  return page(
    'Fixture: an article with ads',
    `<h1>An article with ads around it</h1>${ARTICLE_BODY}
<img src="${adOrigin}/banner.gif" width="300" height="250" alt="">
<script src="${adOrigin}/ads.js"></script>
<iframe src="${adOrigin}/frame.html" width="300" height="250"></iframe>`,
  );
}

function loadMorePage(): string {
  return page(
    'Fixture: comments behind a load more button',
    `<h1>An article with more below</h1>${ARTICLE_BODY}<div id="more"></div>
<details><summary>Notes</summary><p>Text inside closed details</p></details>
<button id="load" type="button">Load more</button>
<script>
  document.getElementById('load').addEventListener('click', () => {
    const p = document.createElement('p');
    p.textContent = ${JSON.stringify(`${LOAD_MORE_SECRET}. `.repeat(6))};
    document.getElementById('more').appendChild(p);
  });
</script>`,
  );
}

/** A loopback listener of a fixture: where it is, and how many requests it answered. */
export interface LoopbackHost {
  origin: string;
  hostPort: string;
  hits: () => number;
  close(): Promise<void>;
}

/** A listener on a loopback address of its own, counting every request it answers. */
async function startLoopbackHost(address: string, handler: http.RequestListener): Promise<LoopbackHost> {
  let hits = 0;
  const server = http.createServer((req, res) => {
    hits++;
    handler(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, address, resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://${address}:${port}`,
    hostPort: `${address}:${port}`,
    hits: () => hits,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A listener on 127.0.0.2 that serves "ads" and counts every request it sees. */
export function startAdHost(): Promise<LoopbackHost> {
  return startLoopbackHost('127.0.0.2', (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end('ad');
  });
}

/** The consent platform's host on 127.0.0.3: its dialog at /index.html, as Sourcepoint's is. */
export function startConsentFrameHost(): Promise<LoopbackHost> {
  return startLoopbackHost('127.0.0.3', (req, res) => {
    const found = req.url?.startsWith('/index.html?');
    res.writeHead(found ? 200 : 404, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
    res.end(found ? framedConsentDialog() : 'not found');
  });
}

/** Adds /clean/* to the fixture server. */
export function addCleanPages(fixture: FixtureServer, adOrigin: string, consentFrameOrigin: string): void {
  const html = (body: string) => (_req: http.IncomingMessage, res: http.ServerResponse) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
    res.end(body);
  };
  fixture.route('/clean/consent', html(consentPage()));
  fixture.route('/clean/consent-frame', html(framedConsentPage(consentFrameOrigin)));
  fixture.route('/clean/consent-stuck', html(brokenConsentPage('stuck')));
  fixture.route('/clean/consent-throws', html(brokenConsentPage('throws')));
  fixture.route('/clean/ads', html(adsPage(adOrigin)));
  fixture.route('/clean/load-more', html(loadMorePage()));
  fixture.route('/clean/title-entities', html(page(TITLES.entities.title, `<h1>Episodes</h1>${ARTICLE_BODY}`)));
  fixture.route('/clean/title-en-dash', html(page(TITLES.enDash.title, `<h1>The river</h1>${ARTICLE_BODY}`)));
  fixture.route(
    '/clean/title-content',
    html(page(TITLES.fromContent.title, `<h1>${TITLES.fromContent.h1}</h1>${ARTICLE_BODY}`)),
  );
}
