/**
 * Injected into the tab for "Save page as I see it": serialises the page as it is now in this
 * browser (the user's cookies, scroll, opened sections) with SingleFile into one
 * self-contained HTML file: images, styles and fonts inlined as data: URIs, scripts removed.
 * Built as a classic script; it leaves one function on the isolated world's global.
 */
import { getPageData } from 'single-file-core/single-file.js';

/** SingleFile's own defaults for a faithful, script-free page. */
const OPTIONS = {
  removeHiddenElements: true,
  removeUnusedStyles: true,
  removeUnusedFonts: true,
  // SingleFile collects frames through its frame-tree messages, which need its scripts
  // pre-loaded in every frame (the SingleFile extension's content scripts); injected on demand
  // they never answer and the serialisation waits forever. Frames are left out instead.
  removeFrames: true,
  compressHTML: true,
  loadDeferredImages: false,
  removeAlternativeFonts: true,
  removeAlternativeMedias: true,
  removeAlternativeImages: true,
  groupDuplicateImages: true,
  blockScripts: true,
  blockVideos: true,
  blockAudios: true,
  insertMetaCSP: true,
  insertCanonicalLink: true,
  insertSingleFileComment: true,
  saveFavicon: true,
  maxResourceSizeEnabled: true,
  maxResourceSize: 10,
};

/** Resources are fetched by the content script, with the page's cookies where CORS allows. */
async function fetchResource(url: string, options: { referrer?: string } = {}) {
  const response = await fetch(url, { credentials: 'include', referrer: options.referrer ?? '' });
  return response;
}

async function serialize(): Promise<{ url: string; title: string; html: string }> {
  const data = await getPageData(OPTIONS, { fetch: fetchResource, frameFetch: fetchResource }, document, window);
  return { url: location.href, title: document.title, html: data.content };
}

(globalThis as { __linksnapSerialize?: typeof serialize }).__linksnapSerialize = serialize;
