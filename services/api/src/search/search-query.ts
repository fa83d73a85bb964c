/**
 * Compiles a parsed query into one tsquery. Each term's words travel as a bound parameter in
 * tsquery syntax with every word quoted, so no user character acts as an operator; PostgreSQL
 * normalises it twice ('english' stems, 'simple' keeps the word as written) because a link is
 * indexed with one or the other. Terms that are only stop words drop out.
 */
import { sql } from 'drizzle-orm';
import type { Db } from '../db/database.js';
import type { ParsedQuery, QueryTerm } from './query-parser.js';

/** A word as a quoted tsquery lexeme: inside quotes only ' and \ need escaping. */
function quoted(word: string): string {
  return `'${word.replace(/\\/g, '\\\\').replace(/'/g, "''")}'`;
}

export function termSyntax(term: QueryTerm): string {
  const words = term.words.map(quoted);
  if (term.prefix && words.length > 0) words[words.length - 1] = `${words[words.length - 1]}:*`;
  return words.join(term.phrase ? ' <-> ' : ' & ');
}

async function normalise(db: Db, terms: QueryTerm[]): Promise<{ english: string; simple: string }[]> {
  const params = sql.join(
    terms.map((t) => sql`${termSyntax(t)}`),
    sql`, `,
  );
  // Prepared, like the search statements (one per number of terms).
  return db
    .select({
      english: sql<string>`to_tsquery('english', t)::text`,
      simple: sql<string>`to_tsquery('simple', t)::text`,
    })
    .from(sql`unnest(array[${params}]::text[]) with ordinality as x(t, n)`)
    .orderBy(sql`n`)
    .prepare('search_normalise')
    .execute();
}

/**
 * The tsquery text for `links.search_vector @@ $1::tsquery`, or null when nothing is left
 * to look for (empty, stop words only, operators only).
 */
export async function compileQuery(
  db: Db,
  parsed: ParsedQuery,
): Promise<{ tsquery: string | null; onlyExcludes: boolean }> {
  if (parsed.terms.length === 0) return { tsquery: null, onlyExcludes: false };
  const normalised = await normalise(db, parsed.terms);
  const include: string[] = [];
  const exclude: string[] = [];
  parsed.terms.forEach((term, i) => {
    const n = normalised[i];
    // The english text is empty exactly when the term is only stop words or punctuation.
    if (!n || n.english === '') return;
    const either = n.english === n.simple ? `( ${n.english} )` : `( ${n.english} | ${n.simple} )`;
    (term.negated ? exclude : include).push(either);
  });
  if (include.length === 0) return { tsquery: null, onlyExcludes: exclude.length > 0 };
  return { tsquery: [...include, ...exclude.map((e) => `!${e}`)].join(' & '), onlyExcludes: false };
}
