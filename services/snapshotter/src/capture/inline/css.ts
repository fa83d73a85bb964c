/**
 * CSS with every reference inlined: `url()` values (backgrounds, fonts, cursors, masks...),
 * `image-set()` strings and `@import`ed sheets, each resolved against the sheet it appears in
 * and replaced by a `data:` URI from the recording. css-tree finds the references; the source
 * text is spliced at their positions, so everything else stays byte for byte as written.
 * Imported sheets are inlined recursively (as `data:text/css` imports, which keeps their media,
 * layer and supports conditions and their place in the cascade).
 */
import * as csstree from 'css-tree';
import { decodeText, EMPTY_DATA_URL, type InlineContext, inlineRef, isLocalRef, recorded } from './resources.js';

/** Imports nested deeper than this are dropped (a loop or a pathological chain). */
const MAX_IMPORT_DEPTH = 6;

type CssContext = 'stylesheet' | 'declarationList';

interface Edit {
  start: number;
  end: number;
  text: string;
}

/** `css` (a sheet, or a style attribute's declarations) with every reference inlined. */
export function inlineCss(css: string, base: string, context: InlineContext, kind: CssContext = 'stylesheet'): string {
  return inlineSheet(css, base, context, kind, [base]);
}

function inlineSheet(css: string, base: string, context: InlineContext, kind: CssContext, chain: string[]): string {
  if (!/url\(|image-set|@import/i.test(css)) return css;
  const ast = csstree.parse(css, { context: kind, positions: true, parseCustomProperty: true, onParseError: () => {} });
  const edits: Edit[] = [];
  const replace = (node: csstree.CssNode, text: string) => {
    if (node.loc) edits.push({ start: node.loc.start.offset, end: node.loc.end.offset, text });
  };
  csstree.walk(ast, function (node) {
    if (node.type === 'Url') {
      const inAtImport = this.atrule?.name.toLowerCase() === 'import';
      replace(
        node,
        `url("${inAtImport ? importedSheet(node.value, base, context, chain) : inlineRef(node.value, base, context)}")`,
      );
    } else if (node.type === 'String') {
      if (this.atrule?.name.toLowerCase() === 'import' && this.atrulePrelude) {
        replace(node, `url("${importedSheet(node.value, base, context, chain)}")`);
      } else if (this.function && /image-set$/i.test(this.function.name)) {
        replace(node, `"${inlineRef(node.value, base, context)}"`);
      }
    } else if (node.type === 'Raw') {
      replace(node, inlineRawUrls(node.value, base, context));
    }
  });
  return splice(css, edits);
}

/** A recorded imported sheet, itself inlined, as a data: URI; an empty one when not recorded. */
function importedSheet(ref: string, base: string, context: InlineContext, chain: string[]): string {
  if (isLocalRef(ref)) return ref;
  const exchange = recorded(ref, base, context);
  if (!exchange || chain.includes(exchange.url) || chain.length > MAX_IMPORT_DEPTH) return EMPTY_DATA_URL;
  const sheet = inlineSheet(decodeText(exchange), exchange.url, context, 'stylesheet', [...chain, exchange.url]);
  context.stats.inlined++;
  return `data:text/css;base64,${Buffer.from(sheet, 'utf8').toString('base64')}`;
}

/** Text css-tree could not parse still gets its `url(...)` references inlined. */
function inlineRawUrls(raw: string, base: string, context: InlineContext): string {
  return raw.replace(/url\(\s*(["']?)([^"')]*)\1\s*\)/gi, (_match, _quote, ref: string) => {
    return `url("${inlineRef(ref, base, context)}")`;
  });
}

function splice(css: string, edits: Edit[]): string {
  if (edits.length === 0) return css;
  // Nested nodes (a Raw inside a replaced range) cannot occur, but overlaps must never corrupt.
  const sorted = edits.sort((a, b) => a.start - b.start);
  let out = '';
  let at = 0;
  for (const edit of sorted) {
    if (edit.start < at) continue;
    out += css.slice(at, edit.start) + edit.text;
    at = edit.end;
  }
  return out + css.slice(at);
}
