/**
 * What one link's search document is made of, and how it is weighted: title (A), description,
 * tags and URL (B), the readable text of every version, newest first (C). Each part is
 * pre-segmented here so PostgreSQL's to_tsvector only has to split on spaces.
 */
import { segmentDocument } from './segment.js';

export interface VersionText {
  title: string | null;
  lang: string | null;
  text: string | null;
}

export interface LinkDocumentInput {
  url: string;
  title: string | null;
  description: string | null;
  tags: string[];
  /** Newest first. */
  versions: VersionText[];
}

export interface SegmentedDocument {
  config: 'english' | 'simple';
  a: string;
  b: string;
  c: string;
}

/** Bounds the work per link; positions past 16,383 are not kept by PostgreSQL anyway. */
export const MAX_VERSION_CHARS = 50_000;
const MAX_TEXT_CHARS = 200_000;

/** English stemming only where the page says it is English; elsewhere words stay as written. */
function configOf(versions: VersionText[]): 'english' | 'simple' {
  const lang = versions.find((v) => v.lang)?.lang?.toLowerCase();
  return lang?.startsWith('en') ? 'english' : 'simple';
}

function versionsText(versions: VersionText[]): string {
  const parts: string[] = [];
  let budget = MAX_TEXT_CHARS;
  for (const version of versions) {
    if (budget <= 0) break;
    const text = `${version.title ?? ''}\n${version.text ?? ''}`.slice(0, Math.min(budget, MAX_VERSION_CHARS));
    parts.push(text);
    budget -= text.length;
  }
  return parts.join('\n');
}

export function segmentLink(input: LinkDocumentInput): SegmentedDocument {
  return {
    config: configOf(input.versions),
    a: segmentDocument(input.title ?? input.versions[0]?.title ?? ''),
    b: segmentDocument([input.description ?? '', ...input.tags, input.url].join('\n')),
    c: segmentDocument(versionsText(input.versions)),
  };
}
