/** The two ways to save, used by the popup and the context menus alike. */
import { type Created, type Settings, saveLink, uploadPage } from './api';

export type SaveMode = 'link' | 'page';

/** Runs SingleFile in the tab (capture.ts) and returns the page as it is shown there. */
export async function serializeTab(tabId: number): Promise<{ url: string; html: string }> {
  await chrome.scripting.executeScript({ target: { tabId }, files: ['capture.js'] });
  const [result] = await chrome.scripting.executeScript({
    target: { tabId },
    func: () =>
      (
        globalThis as unknown as { __linksnapSerialize: () => Promise<{ url: string; html: string }> }
      ).__linksnapSerialize(),
  });
  const page = result?.result as { url: string; html: string } | undefined;
  if (!page?.html) throw new Error('The page could not be serialised.');
  return page;
}

/** "Save link" (the instance fetches `url`) or "Save page as I see it" (this tab's page is uploaded). */
export async function save(
  settings: Settings,
  mode: SaveMode,
  target: { url: string; tabId?: number },
  tags: string[],
): Promise<Created> {
  if (mode === 'link' || target.tabId === undefined) return saveLink(settings, target.url, tags);
  const page = await serializeTab(target.tabId);
  return uploadPage(settings, page.url || target.url, page.html, tags);
}
