import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { sql } from 'drizzle-orm';
import { LinksQueryRepository } from '../src/db/links-query.repository.js';
import { parseQuery } from '../src/search/query-parser.js';
import { compileQuery } from '../src/search/search-query.js';
import { type Harness, startHarness } from './helpers.js';

const ROWS = 50_000;

interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  'Index Cond'?: string;
  'Subplan Name'?: string;
  'Actual Loops'?: number;
  Plans?: PlanNode[];
}

function nodesOf(node: PlanNode): PlanNode[] {
  return [node, ...(node.Plans ?? []).flatMap(nodesOf)];
}

/**
 * 50,000 links (and snapshots, and two tags each) for the searched user plus as many for another,
 * written in a few statements with triggers off; documents are 'simple' vectors of
 * numbered words, so a word's frequency is known: w<n> is in one link of `mod`.
 */
async function seed(h: Harness, userId: string, tagIds: string[]): Promise<void> {
  await h.api.database.db.transaction(async (tx) => {
    await tx.execute(sql`set local session_replication_role = replica`);
    await tx.execute(sql`insert into links (id, user_id, url, normalized_url, title, latest_snapshot_id, created_at, search_stale, search_head, search_vector)
      select gen_random_uuid(), ${userId}::uuid, 'https://plan.test/' || g, 'https://plan.test/' || g, 'title ' || g, gen_random_uuid(), now() - g * interval '1 minute', false,
        setweight(to_tsvector('simple', 'title t' || (g % 97)), 'A'),
        setweight(to_tsvector('simple', 'title t' || (g % 97)), 'A') || setweight(to_tsvector('simple', 'w' || (g % 1000) || ' v' || (g % 50) || ' common'), 'C')
      from generate_series(1, ${ROWS}::int) g`);
    await tx.execute(sql`insert into snapshots (id, link_id, user_id, status, text)
      select latest_snapshot_id, id, user_id, 'succeeded', 'text ' || title from links where user_id = ${userId}::uuid`);
    // Two of ten tags per link, as a tagged library has: link_tags is twice the size of links.
    const tagArray = sql`array[${sql.join(
      tagIds.map((id) => sql`${id}::uuid`),
      sql`, `,
    )}]`;
    await tx.execute(sql`insert into link_tags (link_id, tag_id)
      select id, (${tagArray})[1 + n % 10] from links, lateral (select substring(url from '[0-9]+$')::int as n) x
      where user_id = ${userId}::uuid
      union
      select id, (${tagArray})[1 + (n * 7 + 3) % 10] from links, lateral (select substring(url from '[0-9]+$')::int as n) x
      where user_id = ${userId}::uuid`);
    // The link_tags trigger that keeps tag_ids is off here, as in a restore.
    await tx.execute(sql`update links set tag_ids = t.ids
      from (select link_id, array_agg(tag_id) as ids from link_tags group by link_id) t
      where links.id = t.link_id and links.user_id = ${userId}::uuid`);
  });
  // As autovacuum leaves a table after a bulk insert: the GIN pending lists flushed (the planner
  // prices an index by its pending list, which every query scans, and their size at EXPLAIN time
  // would depend on what other test files inserted) and statistics current.
  await h.api.database.db.execute(sql`vacuum analyze links`);
  await h.api.database.db.execute(sql`analyze snapshots`);
  await h.api.database.db.execute(sql`analyze link_tags`);
}

describe('search query plan on 50,000 links (postgres)', () => {
  let h: Harness;
  let userId: string;
  let otherId: string;
  before(async () => {
    h = await startHarness();
    await h.api.searchIndexer.close();
    const [user, other] = [await h.signup(), await h.signup()];
    userId = user.userId;
    otherId = other.userId;
    for (const u of [other.userId, user.userId]) {
      const tagIds = Array.from({ length: 10 }, () => randomUUID());
      for (const [i, id] of tagIds.entries()) {
        const name = i === 0 ? 'planned' : `tag${i}`;
        await h.api.database.db.execute(
          sql`insert into tags (id, user_id, name) values (${id}::uuid, ${u}::uuid, ${name})`,
        );
      }
      await seed(h, u, tagIds);
    }
  });
  after(async () => {
    // 100,000 links left behind would slow every later search test in this database.
    for (const id of [userId, otherId]) await h.api.database.db.execute(sql`delete from users where id = ${id}::uuid`);
    await h.close();
  });

  async function planOf(q: string, tags: string[], analyze = false): Promise<PlanNode[]> {
    const parsed = parseQuery(q);
    const { tsquery } = await compileQuery(h.api.database.db, parsed);
    assert.ok(tsquery, q);
    const repository = new LinksQueryRepository(h.api.database.db);
    const filter = await repository.withTagIds({ userId, tags, match: 'all', tsquery, limit: 50 });
    assert.ok(filter, `tags ${tags.join(', ')} exist`);
    const query = repository.listQuery(filter).toSQL();
    const client = (
      h.api.database.db as unknown as { $client: { unsafe(q: string, p: unknown[]): Promise<unknown[]> } }
    ).$client;
    const [row] = (await client.unsafe(
      `explain (${analyze ? 'analyze, ' : ''}format json) ${query.sql}`,
      query.params,
    )) as {
      'QUERY PLAN': { Plan: PlanNode }[];
    }[];
    return nodesOf(row?.['QUERY PLAN'][0]?.Plan as PlanNode);
  }

  for (const [q, tags] of [
    ['w17', []],
    ['w17', ['planned']],
    ['common v3', []],
    ['common v3', ['planned']],
    ['t5 w*', []],
    ['w1 -v1', ['planned']],
  ] as [string, string[]][]) {
    it(`q=${q}${tags.length ? ' with a tag' : ''} uses the GIN index and scans no table`, async () => {
      const nodes = await planOf(q, tags);
      const seqScans = nodes.filter((n) => n['Node Type'] === 'Seq Scan').map((n) => n['Relation Name']);
      assert.deepEqual(
        seqScans.filter((r) => r === 'links' || r === 'snapshots' || r === 'link_tags'),
        [],
        JSON.stringify(nodes.map((n) => [n['Node Type'], n['Relation Name'], n['Index Name']])),
      );
      // A term in nearly every link may be served newest-first from (user_id, created_at): the
      // windows stop after RANK_WINDOW matches, so that is a bounded index walk, not a scan.
      // A selective term must come from the GIN index.
      const indexes = q.startsWith('common')
        ? ['links_user_search_idx', 'links_user_created_idx']
        : ['links_user_search_idx'];
      assert.ok(
        nodes.some((n) => indexes.includes(n['Index Name'] as string)),
        `one of ${indexes.join(', ')} is used: ${JSON.stringify(nodes.map((n) => [n['Node Type'], n['Index Name']]))}`,
      );
    });
  }

  // The tag is a column of the search GIN indexes: a selective term with a tag is one index
  // condition on words and tag together, and no link is probed in link_tags.
  for (const [q, tags] of [
    ['w17', ['planned']],
    ['w17 t5', ['planned', 'tag3']],
    ['w1 -v1', ['planned']],
  ] as [string, string[]][]) {
    it(`q=${q} with ${tags.length} tag(s) intersects words and tags inside the GIN index`, async () => {
      const nodes = await planOf(q, tags);
      const shown = JSON.stringify(nodes.map((n) => [n['Node Type'], n['Relation Name'], n['Index Name']]));
      assert.deepEqual(
        nodes.filter((n) => n['Relation Name'] === 'link_tags'),
        [],
        `link_tags is not read: ${shown}`,
      );
      const ginWithTags = nodes.filter(
        (n) =>
          (n['Index Name'] === 'links_user_search_idx' || n['Index Name'] === 'links_user_search_head_idx') &&
          /search_(vector|head) @@/.test(n['Index Cond'] ?? '') &&
          /tag_ids @> '/.test(n['Index Cond'] ?? ''),
      );
      assert.ok(
        ginWithTags.some((n) => n['Index Name'] === 'links_user_search_idx'),
        `an index condition on words and tag: ${JSON.stringify(nodes.map((n) => [n['Index Name'], n['Index Cond']]))}`,
      );
    });
  }

  // A tag id belongs to one user, so the planner takes a user's common tag for a rare one and
  // would sort a bitmap of every match of a common word; the probe of the newest links sends
  // such a search to the walk by date, and a rare word to the GIN index (EXPLAIN ANALYZE: which
  // part ran).
  const ran = (nodes: PlanNode[], name: string) => {
    const node = nodes.find((n) => n['Subplan Name'] === name);
    assert.ok(node, `${name} is in the plan`);
    return (node['Actual Loops'] ?? 0) > 0;
  };
  it('a common word with a common tag takes the walk by date, not the GIN index', async () => {
    const nodes = await planOf('common', ['planned'], true);
    assert.equal(ran(nodes, 'CTE walk'), true);
    const gin = nodes.filter((n) => n['Index Name'] === 'links_user_search_idx');
    assert.ok(
      gin.every((n) => (n['Actual Loops'] ?? 0) === 0),
      JSON.stringify(gin),
    );
  });
  it('a rare word with a common tag takes the GIN index, not the walk', async () => {
    const nodes = await planOf('w17', ['planned'], true);
    assert.equal(ran(nodes, 'CTE walk'), false);
    assert.ok(nodes.some((n) => n['Index Name'] === 'links_user_search_idx' && (n['Actual Loops'] ?? 0) > 0));
  });
});
