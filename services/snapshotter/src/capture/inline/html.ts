/**
 * The serialised DOM made into one self-contained, inert file (in the spirit of SingleFile and
 * monolith): every subresource the page used becomes a `data:` URI from the recording, and
 * everything that could run code or reach the network is removed or neutralised (scripts,
 * event handlers, `javascript:` URLs, <base>, <meta http-equiv>, frames' live URLs, preloads,
 * pings). Links stay absolute so they still point where they pointed. parse5 parses and
 * serialises the markup exactly as a browser would.
 */
import { type DefaultTreeAdapterMap, defaultTreeAdapter as dom, html as htmlSpec, parse, serialize } from 'parse5';
import { inlineCss } from './css.js';
import {
  decodeText,
  EMPTY_DATA_URL,
  type InlineContext,
  inlineRef,
  inlineSrcset,
  recorded,
  resolveHttp,
} from './resources.js';

type Element = DefaultTreeAdapterMap['element'];
type ParentNode = DefaultTreeAdapterMap['parentNode'];
type Template = DefaultTreeAdapterMap['template'];

export interface InlineHtmlOptions {
  /** The document's base URL (`document.baseURI` when it was serialised). */
  baseUrl: string;
  context: InlineContext;
}

/** Elements dropped with their content: they run code, or only ever showed with scripting off. */
const DROPPED = new Set(['script', 'noscript', 'base', 'portal']);
/** `http-equiv` values that would act when the file is opened (redirect, policy, cookies, charset). */
const ACTIVE_HTTP_EQUIV = /^(refresh|content-security-policy|set-cookie|content-type|default-style|origin-trial)$/i;
/** `<link rel>` values that describe the page and never fetch anything; every other link goes. */
const INERT_LINK_RELS = new Set(['canonical', 'alternate', 'author', 'license', 'next', 'prev', 'shortlink', 'me']);
const ICON_RELS = /(^|\s)(icon|apple-touch-icon|apple-touch-icon-precomposed|mask-icon)(\s|$)/i;
/** Attributes holding a navigation URL: made absolute, since <base> is gone and the file's own URL is ours. */
const LINK_ATTRIBUTES = new Set(['href', 'cite', 'longdesc']);
/** Attributes holding one subresource URL, per element. */
const RESOURCE_ATTRIBUTES: Record<string, string[]> = {
  img: ['src'],
  input: ['src'],
  video: ['poster', 'src'],
  audio: ['src'],
  source: ['src'],
  track: ['src'],
  image: ['href', 'xlink:href'],
  feimage: ['href', 'xlink:href'],
  body: ['background'],
  table: ['background'],
  td: ['background'],
  th: ['background'],
};
/**
 * Attributes that are only requests, or checks of requests that no longer happen. Forms cannot
 * be submitted from the archive (its sandbox has no allow-forms), so their targets go too.
 */
const REQUEST_ONLY_ATTRIBUTES = new Set([
  'ping',
  'integrity',
  'crossorigin',
  'nonce',
  'manifest',
  'attributionsrc',
  'action',
  'formaction',
]);

/** The self-contained document. */
export function inlineHtml(markup: string, options: InlineHtmlOptions): string {
  const document = parse(markup);
  visit(document, options);
  declareUtf8(document);
  return serialize(document);
}

function visit(parent: ParentNode, options: InlineHtmlOptions): void {
  for (const node of [...parent.childNodes]) {
    if (!dom.isElementNode(node)) continue;
    if (!rewriteElement(node, options)) continue;
    visit(node, options);
    if (node.nodeName === 'template') visit(dom.getTemplateContent(node as Template), options);
  }
}

/** Rewrites one element in place; false when it was removed (or needs no further visit). */
function rewriteElement(element: Element, options: InlineHtmlOptions): boolean {
  const name = element.tagName.toLowerCase();
  if (isDropped(element, name)) return remove(element);
  if (name === 'link') return rewriteLink(element, options);
  neutraliseAttributes(element, options.baseUrl);
  if (!inlineResources(element, name, options)) return remove(element);
  neutraliseEmbeds(element, name);
  if (name === 'style') rewriteStyleElement(element, options.baseUrl, options.context);
  return true;
}

function isDropped(element: Element, name: string): boolean {
  if (DROPPED.has(name)) return true;
  if (name !== 'meta') return false;
  return ACTIVE_HTTP_EQUIV.test(attr(element, 'http-equiv') ?? '') || attr(element, 'charset') !== undefined;
}

/** Inline styles, resource attributes and srcset; false when a <source> is left with nothing. */
function inlineResources(element: Element, name: string, { baseUrl: base, context }: InlineHtmlOptions): boolean {
  const style = attr(element, 'style');
  if (style !== undefined) setAttr(element, 'style', inlineCss(style, base, context, 'declarationList'));
  for (const attribute of RESOURCE_ATTRIBUTES[name] ?? []) {
    const value = attr(element, attribute);
    if (value !== undefined) setAttr(element, attribute, inlineRef(value, base, context));
  }
  const srcset = attr(element, 'srcset');
  if (srcset === undefined) return true;
  const inlined = inlineSrcset(srcset, base, context);
  if (inlined) setAttr(element, 'srcset', inlined);
  else if (name === 'source' && attr(element, 'src') === undefined) return false;
  else removeAttr(element, 'srcset');
  return true;
}

/** Frames, plugins and external SVG sprites keep no URL that would load. */
function neutraliseEmbeds(element: Element, name: string): void {
  if (name === 'iframe' || name === 'frame') {
    removeAttr(element, 'src');
    removeAttr(element, 'srcdoc');
  }
  if (name === 'object' || name === 'embed' || name === 'applet') {
    for (const attribute of ['data', 'src', 'codebase', 'archive', 'code']) removeAttr(element, attribute);
  }
  if (name === 'use') neutraliseUse(element);
}

/** Event handlers, `javascript:` URLs, request-only attributes, relative links. */
function neutraliseAttributes(element: Element, base: string): void {
  element.attrs = element.attrs.filter(
    (a) => !a.name.toLowerCase().startsWith('on') && !REQUEST_ONLY_ATTRIBUTES.has(a.name),
  );
  for (const attribute of element.attrs) {
    if (isJavascriptUrl(attribute.value)) attribute.value = attribute.name === 'href' ? '#' : '';
    else if (LINK_ATTRIBUTES.has(attribute.name) && !attribute.value.trim().startsWith('#')) {
      attribute.value = absolute(attribute.value, base);
    }
  }
}

function rewriteLink(element: Element, { baseUrl: base, context }: InlineHtmlOptions): boolean {
  const rel = (attr(element, 'rel') ?? '').toLowerCase();
  const href = attr(element, 'href') ?? '';
  const tokens = rel.split(/\s+/).filter(Boolean);
  if (tokens.includes('stylesheet') && /^\s*data:/i.test(href)) return false;
  if (tokens.includes('stylesheet')) {
    const sheet = tokens.includes('alternate') ? undefined : recorded(href, base, context);
    if (!sheet) return remove(element);
    const style = dom.createElement('style', htmlSpec.NS.HTML, []);
    const media = attr(element, 'media');
    if (media) setAttr(style, 'media', media);
    dom.insertText(style, escapeStyleText(inlineCss(decodeText(sheet), sheet.url, context)));
    context.stats.inlined++;
    replace(element, style);
    return false;
  }
  if (ICON_RELS.test(rel)) {
    const icon = inlineRef(href, base, context);
    if (icon === EMPTY_DATA_URL) return remove(element);
    element.attrs = element.attrs.filter((a) => !REQUEST_ONLY_ATTRIBUTES.has(a.name));
    setAttr(element, 'href', icon);
    return false;
  }
  if (!tokens.every((token) => INERT_LINK_RELS.has(token))) return remove(element);
  neutraliseAttributes(element, base);
  return false;
}

function rewriteStyleElement(element: Element, base: string, context: InlineContext): void {
  const text = element.childNodes.map((child) => (dom.isTextNode(child) ? child.value : '')).join('');
  element.childNodes = [];
  dom.insertText(element, escapeStyleText(inlineCss(text, base, context)));
}

/** An SVG <use> may only point into this document: an external sprite would be a request. */
function neutraliseUse(element: Element): void {
  for (const name of ['href', 'xlink:href']) {
    const value = attr(element, name);
    if (value !== undefined && !value.trim().startsWith('#')) {
      const hash = value.indexOf('#');
      setAttr(element, name, hash === -1 ? '' : value.slice(hash));
    }
  }
}

/** `<meta charset="utf-8">` first in <head>: parse5 serialises text as UTF-8 whatever the page said. */
function declareUtf8(document: DefaultTreeAdapterMap['document']): void {
  const html = document.childNodes.find((n): n is Element => dom.isElementNode(n) && n.tagName === 'html');
  const head = html?.childNodes.find((n): n is Element => dom.isElementNode(n) && n.tagName === 'head');
  if (!head) return;
  const meta = dom.createElement('meta', htmlSpec.NS.HTML, [{ name: 'charset', value: 'utf-8' }]);
  const first = head.childNodes[0];
  if (first) dom.insertBefore(head, meta, first);
  else dom.appendChild(head, meta);
}

/** Raw text inside <style> ends at the first `</style`; CSS reads `<\/style` the same way. */
function escapeStyleText(css: string): string {
  return css.replace(/<\/(style)/gi, '<\\/$1');
}

function isJavascriptUrl(value: string): boolean {
  // Browsers strip ASCII whitespace and control characters before reading the scheme.
  // biome-ignore lint/suspicious/noControlCharactersInRegex: exactly what browsers ignore
  return /^javascript:/i.test(value.replace(/[\u0000-\u0020]/g, ''));
}

function absolute(value: string, base: string): string {
  return resolveHttp(value, base) !== null ? new URL(value.trim(), base).href : value;
}

function attr(element: Element, name: string): string | undefined {
  return element.attrs.find((a) => a.name === name)?.value;
}

function setAttr(element: Element, name: string, value: string): void {
  const existing = element.attrs.find((a) => a.name === name);
  if (existing) existing.value = value;
  else element.attrs.push({ name, value });
}

function removeAttr(element: Element, name: string): void {
  element.attrs = element.attrs.filter((a) => a.name !== name);
}

function remove(node: Element): false {
  dom.detachNode(node);
  return false;
}

function replace(node: Element, replacement: Element): void {
  const parent = node.parentNode;
  if (parent) dom.insertBefore(parent, replacement, node);
  dom.detachNode(node);
}
