/**
 * Keeps links.search_vector current. Triggers mark a link stale when its title, description,
 * tags or versions change (migration 0004_search); this loop re-segments stale links in
 * batches. The state is in the rows, so the backfill of an existing database resumes where it
 * stopped after a restart, runs while the API serves search, and several processes share the
 * work (SKIP LOCKED).
 */
import type { Logger } from '@linksnap/shared';
import type { Db } from '../db/database.js';
import { segmentLink } from './search-document.js';
import { SearchIndexRepository } from './search-index.repository.js';

export interface SearchIndexerOptions {
  batchSize?: number;
  /** Pause between polls once nothing is stale. */
  idleMs?: number;
  /** Told how many links each batch indexed (the /metrics counter). */
  onIndexed?: (count: number) => void;
}

export class SearchIndexer {
  readonly repository: SearchIndexRepository;
  private readonly batchSize: number;
  private readonly idleMs: number;
  private running: Promise<unknown> = Promise.resolve();
  private timer: NodeJS.Timeout | undefined;
  private stopped = true;
  private backfilled = 0;

  constructor(
    db: Db,
    private readonly logger: Logger,
    private readonly options: SearchIndexerOptions = {},
  ) {
    this.repository = new SearchIndexRepository(db);
    this.batchSize = options.batchSize ?? 200;
    this.idleMs = options.idleMs ?? 1000;
  }

  start(): void {
    this.stopped = false;
    this.schedule(0);
  }

  /** Index soon (after a capture result, say) instead of at the next poll. */
  kick(): void {
    if (!this.stopped) this.schedule(0);
  }

  /**
   * Indexes until nothing is stale (tests and the benchmark wait on this). Every process on the
   * database indexes, so a batch that finds nothing to claim may only mean that another process
   * holds the stale links: then one link is claimed waiting, which returns once that process
   * commits. The waiting claim holds no other lock while it waits, so it cannot deadlock with
   * another process's drain.
   */
  async drain(): Promise<number> {
    let total = 0;
    for (;;) {
      let n = await this.batch(this.batchSize);
      if (n === 0) n = await this.batch(1, { wait: true });
      total += n;
      if (n === 0) return total;
    }
  }

  async close(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running.catch(() => {});
  }

  /** One batch at a time per process: batches chain on `running`. */
  private batch(limit: number, claim: { wait?: boolean } = {}): Promise<number> {
    const next = this.running.then(
      () => this.indexBatch(limit, claim),
      () => this.indexBatch(limit, claim),
    );
    this.running = next.catch(() => {});
    return next;
  }

  private schedule(ms: number): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.tick(), ms);
    this.timer.unref();
  }

  private async tick(): Promise<void> {
    let indexed = 0;
    try {
      indexed = await this.batch(this.batchSize);
      if (indexed === this.batchSize) await this.logProgress(indexed);
      else if (this.backfilled > 0) this.logDone();
    } catch (err) {
      this.logger.error({ err }, 'search indexing failed; retrying');
    }
    if (!this.stopped) this.schedule(indexed === this.batchSize ? 0 : this.idleMs);
  }

  private async indexBatch(limit: number, claim: { wait?: boolean }): Promise<number> {
    const count = await this.repository.withStaleBatch(
      limit,
      async (tx, ids) => {
        const inputs = await this.repository.inputs(tx, ids);
        for (const [id, input] of inputs) await this.repository.write(tx, id, segmentLink(input));
        return ids.length;
      },
      claim,
    );
    if (count > 0) this.options.onIndexed?.(count);
    return count;
  }

  private async logProgress(indexed: number): Promise<void> {
    this.backfilled += indexed;
    const remaining = await this.repository.staleCount();
    this.logger.info({ indexed: this.backfilled, remaining }, 'search backfill in progress');
  }

  private logDone(): void {
    this.logger.info({ indexed: this.backfilled }, 'search backfill done');
    this.backfilled = 0;
  }
}
