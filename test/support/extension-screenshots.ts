/**
 * Takes the popup screenshots of docs/extension.md against a real stack: the sign-in form and
 * a finished "Save page as I see it", in English and Chinese. Run by hand after a popup change:
 *   TEST_DATABASE_URL=… node --import tsx test/support/extension-screenshots.ts
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { launchWithExtension, openPopup } from './extension-browser.js';
import { startFixtureServer } from './fixture-server.js';
import { MEMBER_COOKIE, membersOnlyPage } from './members-fixture.js';
import { Stack } from './stack.js';

const out = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../docs/screenshots');
const fixture = await startFixtureServer();
fixture.route('/members/article', membersOnlyPage);
const stack = await Stack.start({ allow: [fixture.hostPort] });
try {
  for (const [lang, suffix, tags] of [
    ['en-US', 'en', ['reading', 'paywalled', 'history']],
    ['zh-CN', 'zh', ['稍后阅读', '付费墙', '历史']],
  ] as const) {
    const { token } = await stack.user();
    for (const name of tags) await stack.request('POST', '/v1/tags', { token, json: { name } });
    const key = (await stack.request('POST', '/v1/api-keys', { token, json: { name: 'extension' } })).body.key;
    const { browser, extensionId } = await launchWithExtension(lang);
    try {
      const url = fixture.url('/members/article');
      const tab = await browser.newPage();
      await tab.setCookie({ ...MEMBER_COOKIE, url });
      await tab.goto(url);
      const popup = await openPopup(browser, extensionId, url);
      await popup.waitForSelector('#signin:not([hidden])');
      await popup.type('#instance', stack.baseUrl);
      await popup.type('#apikey', key);
      await (await popup.$('body'))?.screenshot({ path: path.join(out, `extension-signin-${suffix}.png`) });
      await popup.click('#signin button[type=submit]');
      await popup.waitForSelector(`#tag-list input[value="${tags[1]}"]`);
      await popup.click(`#tag-list input[value="${tags[1]}"]`);
      await popup.click('#save-page');
      await popup.waitForSelector('#done:not([hidden])', { timeout: 90_000 });
      await (await popup.$('body'))?.screenshot({ path: path.join(out, `extension-saved-${suffix}.png`) });
    } finally {
      await browser.close();
    }
  }
} finally {
  await stack.close();
  await fixture.close();
}
console.log(`screenshots written to ${out}`);
