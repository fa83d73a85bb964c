/**
 * The snippet of a search hit, built in Node over the versions' readable text (no database):
 * which version it names, its window and marks, and the whitespace it collapses.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseQuery } from '../src/search/query-parser.js';
import { collapseWhitespace, MARK_END, MARK_START, matchOf, needlesOf } from '../src/search/snippet.js';

const needles = (q: string) => needlesOf(parseQuery(q).terms);
const marked = (snippet: string | null) =>
  [...(snippet ?? '').matchAll(new RegExp(`${MARK_START}(.*?)${MARK_END}`, 'gu'))].map((m) => m[1]);

describe('search snippets', () => {
  it('collapses whitespace exactly as /\\s+/g → one space does', () => {
    const pieces = ['word', ' ', '  ', '\n', '\r\n', '\t', '\u00a0', '\u3000', '\u2028', ' \n ', '数据库', 'x'];
    let seed = 7;
    const next = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed;
    };
    for (let n = 0; n < 500; n++) {
      const text = Array.from({ length: next() % 40 }, () => pieces[next() % pieces.length]).join('');
      assert.equal(collapseWhitespace(text), text.replace(/\s+/g, ' '), JSON.stringify(text));
    }
  });

  it('names the newest version holding the most distinct words, and marks them in its window', () => {
    const versions = [
      { id: 'newest', text: 'Only the zeppelin here.' },
      { id: 'older', text: 'The zeppelin\n\n  landed at the\tharbour; another zeppelin followed.' },
      { id: 'oldest', text: 'A zeppelin at a harbour, again.' },
    ];
    const match = matchOf(versions, needles('zeppelin harbour'));
    assert.equal(match.snapshotId, 'older', 'the first version with both words');
    assert.equal(
      match.snippet,
      `The ${MARK_START}zeppelin${MARK_END} landed at the ${MARK_START}harbour${MARK_END}; another ${MARK_START}zeppelin${MARK_END} followed.`,
    );
  });

  it('keeps the window around the first hit of a long page and marks only what it shows', () => {
    const filler = 'lorem ipsum dolor sit amet '.repeat(400);
    const text = `${filler}the archive opens here, archive after archive ${filler}archive at the end`;
    const match = matchOf([{ id: 'v', text }], needles('archive'));
    assert.ok(match.snippet?.startsWith('…') && match.snippet.endsWith('…'), match.snippet ?? '');
    assert.ok((match.snippet?.length ?? 0) <= 162 + 6, `${match.snippet?.length}`);
    assert.deepEqual(marked(match.snippet), ['archive', 'archive', 'archive']);
  });

  it('finds a traditional spelling for a simplified query and strips the mark characters from text', () => {
    const match = matchOf([{ id: 'v', text: `這是${MARK_START}數據庫${MARK_END}的索引` }], needles('数据库'));
    assert.equal(match.snapshotId, 'v');
    assert.deepEqual(marked(match.snippet), ['數據庫']);
  });

  it('answers no snippet when no version has text', () => {
    assert.deepEqual(matchOf([], needles('x')), { snapshotId: null, snippet: null });
    assert.deepEqual(matchOf([{ id: 'v', text: null }], needles('x')), { snapshotId: 'v', snippet: null });
  });
});
