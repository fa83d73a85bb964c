/**
 * The article title, by the rule Readability's `_getArticleTitle` follows upstream (after
 * 0.6.0, the release on npm): the title is cut at its last site separator, where separators
 * include the en dash and em dash (`Headline – Site`), and a cut that leaves four words or
 * fewer falls back to the whole title (`Evolve: Shared Mutable History — evolve extension for
 * Mercurial`). A title under 15 or over 150 characters comes from the page's only `<h1>`.
 * Kept as page-side source: it runs in the captured page next to Readability, on its document.
 */
export const ARTICLE_TITLE_SOURCE = String.raw`function articleTitle(doc) {
  const normalize = (s) => s.replace(/\s{2,}/g, ' ');
  const wordCount = (s) => s.split(/\s+/).length;
  const textOf = (node) => normalize((node && node.textContent ? node.textContent : '').trim());
  let origTitle = '';
  try {
    origTitle = typeof doc.title === 'string' ? doc.title.trim() : textOf(doc.getElementsByTagName('title')[0]);
  } catch (e) {
    origTitle = '';
  }
  let curTitle = origTitle;
  const separators = '\\|\\-\u2013\u2014\\\\\\/>\u00bb';
  const separator = new RegExp('\\s[' + separators + ']\\s');
  let hierarchical = false;
  if (separator.test(curTitle)) {
    hierarchical = /\s[\\\/>\u00bb]\s/.test(curTitle);
    const all = Array.from(origTitle.matchAll(new RegExp('\\s[' + separators + ']\\s', 'g')));
    curTitle = origTitle.substring(0, all[all.length - 1].index);
    if (wordCount(curTitle) < 3) {
      curTitle = origTitle.replace(new RegExp('^[^' + separators + ']*[' + separators + ']', 'gi'), '');
    }
  } else if (curTitle.includes(': ')) {
    const trimmed = curTitle.trim();
    const headings = Array.from(doc.querySelectorAll('h1, h2'));
    if (!headings.some((h) => h.textContent.trim() === trimmed)) {
      curTitle = origTitle.substring(origTitle.lastIndexOf(':') + 1);
      if (wordCount(curTitle) < 3) {
        curTitle = origTitle.substring(origTitle.indexOf(':') + 1);
      } else if (wordCount(origTitle.substring(0, origTitle.indexOf(':'))) > 5) {
        curTitle = origTitle;
      }
    }
  } else if (curTitle.length > 150 || curTitle.length < 15) {
    const hOnes = doc.getElementsByTagName('h1');
    if (hOnes.length === 1) curTitle = textOf(hOnes[0]);
  }
  curTitle = normalize(curTitle.trim());
  const words = wordCount(curTitle);
  if (
    words <= 4 &&
    (!hierarchical || words !== wordCount(origTitle.replace(new RegExp('\\s[' + separators + ']\\s', 'g'), '')) - 1)
  ) {
    curTitle = origTitle;
  }
  return curTitle;
}`;
