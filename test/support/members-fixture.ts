/**
 * A "members only" article for the fixture server: the article text is served only to a
 * request carrying the member cookie (which the platform never has); everyone else gets the
 * wall. Used by the uploaded-capture and browser-extension tests.
 */
import type http from 'node:http';

export const MEMBER_COOKIE = { name: 'member_session', value: 'granted-7c1e' };
export const ARTICLE_TITLE = 'The lighthouse keepers of the northern coast';
export const ARTICLE_TEXT = 'Seven lighthouse keepers logged every ship that passed the northern cape';
export const WALL_TEXT = 'This article is for members only';

function article(): string {
  const paragraphs = Array.from(
    { length: 6 },
    (_, i) =>
      `<p>${ARTICLE_TEXT}, and in winter ${i + 2} of them stayed on through the storms, ` +
      'writing down the weather, the wrecks and the lights they saw, year after year.</p>',
  ).join('\n');
  return `<article><h1>${ARTICLE_TITLE}</h1>${paragraphs}</article>`;
}

function wall(): string {
  return (
    `<article><h1>${ARTICLE_TITLE}</h1><p>${WALL_TEXT}. Sign in to read the rest of the story, ` +
    'and join the members who keep this newsroom going.</p></article>'
  );
}

/** The page itself: the article for a member, the wall for everyone else. */
export function membersOnlyPage(req: http.IncomingMessage, res: http.ServerResponse): void {
  const cookies = req.headers.cookie ?? '';
  const member = cookies.split(/;\s*/).includes(`${MEMBER_COOKIE.name}=${MEMBER_COOKIE.value}`);
  res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
  res.end(`<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>${ARTICLE_TITLE}</title></head>
<body><header><a href="/">The Coastal Gazette</a></header>${member ? article() : wall()}</body></html>`);
}
