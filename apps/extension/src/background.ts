/**
 * Background: the context menus. "Save link" on a link saves that link, elsewhere the page's
 * URL (server capture); "Save page as I see it" uploads the tab's page. Progress shows on the
 * toolbar badge (percent, then ✓ or !); the popup shows the last outcome with its link.
 */
import { ApiError, linkPage, loadSettings, watchJob } from './api';
import { type SaveMode, save } from './save';

const MENU_LINK = 'linksnap-save-link';
const MENU_PAGE = 'linksnap-save-page';

chrome.runtime.onInstalled.addListener(() => {
  chrome.contextMenus.create({ id: MENU_LINK, title: chrome.i18n.getMessage('saveLink'), contexts: ['link', 'page'] });
  chrome.contextMenus.create({ id: MENU_PAGE, title: chrome.i18n.getMessage('savePage'), contexts: ['page'] });
});

async function badge(text: string, color = '#2563eb'): Promise<void> {
  await chrome.action.setBadgeBackgroundColor({ color });
  await chrome.action.setBadgeText({ text });
}

async function fromMenu(mode: SaveMode, url: string, tabId: number | undefined): Promise<void> {
  const settings = await loadSettings();
  if (!settings) {
    await chrome.storage.local.set({ last: { ok: false, message: chrome.i18n.getMessage('signInFirst') } });
    await badge('!', '#dc2626');
    return;
  }
  try {
    await badge('…');
    const created = await save(settings, mode, { url, tabId }, []);
    const final = await watchJob(settings, created.snapshot.id, (event) => {
      if (event.percent !== undefined) void badge(`${event.percent}`);
    });
    const ok = final.state === 'succeeded' || final.state === 'partial';
    await chrome.storage.local.set({ last: { ok, state: final.state, href: linkPage(settings, created.link.id) } });
    await badge(ok ? '✓' : '!', ok ? '#16a34a' : '#dc2626');
  } catch (err) {
    const message = err instanceof ApiError && err.unauthenticated ? chrome.i18n.getMessage('keyRefused') : String(err);
    await chrome.storage.local.set({ last: { ok: false, message } });
    await badge('!', '#dc2626');
  }
}

chrome.contextMenus.onClicked.addListener((info, tab) => {
  if (info.menuItemId === MENU_LINK) void fromMenu('link', info.linkUrl ?? info.pageUrl ?? tab?.url ?? '', tab?.id);
  if (info.menuItemId === MENU_PAGE) void fromMenu('page', info.pageUrl ?? tab?.url ?? '', tab?.id);
});
