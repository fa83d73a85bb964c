/**
 * A search hit's snippet with the matched words highlighted. The API marks them with the
 * private-use characters U+E000/U+E001; the text is split on them and rendered as text nodes
 * and <mark> elements, never as HTML, so page text cannot inject markup.
 */
import { useI18n } from './i18n';

const START = '\uE000';
const END = '\uE001';

/** Alternating plain and marked pieces: [text, marked, text, …]. */
export function snippetParts(snippet: string): { text: string; marked: boolean }[] {
  const parts: { text: string; marked: boolean }[] = [];
  for (const chunk of snippet.split(START)) {
    const end = chunk.indexOf(END);
    if (end < 0) parts.push({ text: chunk, marked: false });
    else parts.push({ text: chunk.slice(0, end), marked: true }, { text: chunk.slice(end + 1), marked: false });
  }
  return parts.filter((p) => p.text.length > 0);
}

export function SearchSnippet({ snippet, olderVersion }: { snippet: string; olderVersion: boolean }) {
  const { t } = useI18n();
  return (
    <p class="link-snippet">
      <span class="visually-hidden">{t('links.snippet')}: </span>
      {olderVersion && <span class="snippet-version">{t('links.matchedOlder')} · </span>}
      {snippetParts(snippet).map((part, i) => (part.marked ? <mark key={i}>{part.text}</mark> : part.text))}
    </p>
  );
}
