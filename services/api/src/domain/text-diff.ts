/**
 * Word-level text diff for Latin scripts, character-level for CJK: the text is cut into tokens
 * (a CJK character, a run of letters or digits, a whitespace run, one other character) and
 * jsdiff's diffArrays compares the token arrays; runs of one operation are joined back.
 */
import { diffArrays } from 'diff';
import { normalizeText } from './change.js';

export interface TextOp {
  op: 'equal' | 'insert' | 'delete';
  text: string;
}

const CJK = '\\p{Script=Han}\\p{Script=Hiragana}\\p{Script=Katakana}\\p{Script=Hangul}';
const TOKEN = new RegExp(`[${CJK}]|[^\\s\\p{P}\\p{S}${CJK}]+|\\s+|.`, 'gsu');

/** Past this, jsdiff gives up and the versions are one delete and one insert. */
const DIFF_TIMEOUT_MS = 2_000;

export function tokenize(text: string): string[] {
  return text.match(TOKEN) ?? [];
}

/** From `before` to `after`, both whitespace-normalised first (as the change detection compares them). */
export function diffText(before: string | null, after: string | null): TextOp[] {
  const a = normalizeText(before);
  const b = normalizeText(after);
  const parts = diffArrays(tokenize(a), tokenize(b), { timeout: DIFF_TIMEOUT_MS });
  if (!parts)
    return merge([
      { op: 'delete', text: a },
      { op: 'insert', text: b },
    ]);
  return merge(
    parts.map((p) => ({ op: p.added ? 'insert' : p.removed ? 'delete' : 'equal', text: p.value.join('') }) as TextOp),
  );
}

/** Adjacent runs of one operation become one; empty runs go. */
function merge(ops: TextOp[]): TextOp[] {
  const out: TextOp[] = [];
  for (const op of ops) {
    if (op.text === '') continue;
    const last = out.at(-1);
    if (last && last.op === op.op) last.text += op.text;
    else out.push({ ...op });
  }
  return out;
}
