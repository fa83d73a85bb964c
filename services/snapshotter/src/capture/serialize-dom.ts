/**
 * The rendered DOM as markup, the way the reader saw it: a copy of the document made in an
 * inert document (no browsing context, so copying loads nothing and the live page, which the
 * PDF and text stages read at the same time, is never touched), with what the markup alone
 * would lose written back into it: form field state, canvas pixels, open shadow roots, rules
 * inserted through the CSSOM (CSS-in-JS) and adopted stylesheets. Password and file inputs
 * keep no value.
 */
import type { Page } from 'puppeteer-core';

export interface SerializedDom {
  /** Doctype plus the copied document element. */
  html: string;
  /** `document.baseURI`: what every relative URL in the markup resolves against. */
  baseUrl: string;
}

/** A string, not a function: tsx's helpers must not leak into the page's realm. */
const SERIALIZE = `(() => {
  const inert = document.implementation.createHTMLDocument('');
  const live = document.documentElement;
  const copy = inert.importNode(live, true);
  const liveAll = live.querySelectorAll('*');
  const copyAll = copy.querySelectorAll('*');
  const rulesOf = (sheet) => {
    try { return Array.from(sheet.cssRules, (rule) => rule.cssText).join('\\n'); } catch { return ''; }
  };
  const styleElement = (text) => {
    const style = inert.createElement('style');
    style.textContent = text;
    return style;
  };
  const keep = (from, to) => {
    switch (from.localName) {
      case 'input':
        if (from.type === 'checkbox' || from.type === 'radio') to.toggleAttribute('checked', from.checked);
        else if (from.type === 'password' || from.type === 'file') to.removeAttribute('value');
        else to.setAttribute('value', from.value);
        break;
      case 'textarea':
        to.textContent = from.value;
        break;
      case 'option':
        to.toggleAttribute('selected', from.selected);
        break;
      case 'style':
        if (from.textContent.trim() === '' && from.sheet) to.textContent = rulesOf(from.sheet);
        break;
      case 'canvas':
        try {
          const img = inert.createElement('img');
          for (const attr of from.attributes) img.setAttribute(attr.name, attr.value);
          img.setAttribute('src', from.toDataURL());
          to.replaceWith(img);
        } catch {}
        break;
    }
    const root = from.shadowRoot;
    if (root && root.mode === 'open') {
      const template = inert.createElement('template');
      template.setAttribute('shadowrootmode', 'open');
      template.innerHTML = root.innerHTML;
      for (const sheet of root.adoptedStyleSheets ?? []) template.content.append(styleElement(rulesOf(sheet)));
      to.prepend(template);
    }
  };
  for (let i = 0; i < liveAll.length && i < copyAll.length; i++) keep(liveAll[i], copyAll[i]);
  const head = copy.querySelector('head');
  for (const sheet of document.adoptedStyleSheets ?? []) (head ?? copy).append(styleElement(rulesOf(sheet)));
  const type = document.doctype;
  const doctype = type
    ? '<!DOCTYPE ' + type.name + (type.publicId ? ' PUBLIC "' + type.publicId + '"' : '') +
      (type.systemId ? (type.publicId ? '' : ' SYSTEM') + ' "' + type.systemId + '"' : '') + '>\\n'
    : '';
  return { html: doctype + copy.outerHTML, baseUrl: document.baseURI };
})()`;

export async function serializeDom(page: Page): Promise<SerializedDom> {
  return (await page.evaluate(SERIALIZE)) as SerializedDom;
}
