/**
 * Compiles a parsed query into one tsquery. Each term's words travel as a bound parameter in
 * tsquery syntax with every word quoted, so no user character acts as an operator; PostgreSQL
 * normalises it twice ('english' stems, 'simple' keeps the word as written) because a link is
 * indexed with one or the other. Terms that are only stop words drop out.
 */
import { sql } from 'drizzle-orm';
import { PgDialect } from 'drizzle-orm/pg-core';
import type { Db } from '../db/database.js';
import { rowsOf } from '../db/links.repository.js';
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

const dialect = new PgDialect();

interface Normalised {
  english: string;
  simple: string;
}

async function normalise(db: Db, terms: QueryTerm[]): Promise<Normalised[]> {
  const params = sql.join(
    terms.map((t) => sql`${termSyntax(t)}`),
    sql`, `,
  );
  const query = dialect.sqlToQuery(
    sql`select to_tsquery('english', t)::text as english, to_tsquery('simple', t)::text as simple
        from unnest(array[${params}]::text[]) with ordinality as x(t, n) order by n`,
  );
  // Prepared, like the search statements (one per number of terms).
  return rowsOf<Normalised>(await db._.session.prepareQuery(query, undefined, 'search_normalise', false).execute());
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
