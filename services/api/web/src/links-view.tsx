/**
 * link管理 / Links: filter by tags (any/all), search, snapshot state; load more by cursor;
 * select several to tag, re-capture or delete.
 */

import type { operations } from '@linksnap/api-client';
import { useEffect, useState } from 'preact/hooks';
import { answer, api, artifactUrl, type LinkItem } from './api';
import { BulkBar } from './bulk-bar';
import { useI18n } from './i18n';
import { isFinal, useJobPolling } from './jobs';
import { LinkCard } from './link-card';
import { useTags } from './tags-store';
import { Empty, ErrorState, Loading } from './ui';

const STATES = ['queued', 'active', 'succeeded', 'partial', 'failed'] as const;

interface Filters {
  tags: string[];
  match: 'any' | 'all';
  q: string;
  status: string;
}

type LinkQuery = NonNullable<operations['listLinks']['parameters']['query']>;

/** GET /v1/links's query for the filters (serialised in this order, tags repeated). */
function linkQuery(filters: Filters, cursor?: string): LinkQuery {
  return {
    tag: filters.tags,
    match: filters.tags.length > 1 ? filters.match : undefined,
    q: filters.q.trim() || undefined,
    status: (filters.status || undefined) as LinkQuery['status'],
    cursor,
    limit: 24,
  };
}

/** Filters live in the address, so a filtered view can be bookmarked and shared. */
function filtersFromUrl(): Filters {
  const params = new URLSearchParams(location.search);
  return {
    tags: params.getAll('tag'),
    match: params.get('match') === 'all' ? 'all' : 'any',
    q: params.get('q') ?? '',
    status: params.get('status') ?? '',
  };
}

function filtersToUrl(filters: Filters): string {
  const params = new URLSearchParams();
  for (const tag of filters.tags) params.append('tag', tag);
  if (filters.match === 'all') params.set('match', 'all');
  if (filters.q.trim()) params.set('q', filters.q.trim());
  if (filters.status) params.set('status', filters.status);
  const query = params.toString();
  return query ? `/links?${query}` : '/links';
}

export function LinksView() {
  const { t } = useI18n();
  const tagsState = useTags();
  const [filters, setFilters] = useState<Filters>(filtersFromUrl);
  const [search, setSearch] = useState(filters.q);
  const [items, setItems] = useState<LinkItem[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<unknown>(null);
  const [version, setVersion] = useState(0);
  const [layout, setLayout] = useState<'list' | 'grid'>('grid');
  const [selected, setSelected] = useState<Set<string>>(new Set());

  useEffect(() => {
    const url = filtersToUrl(filters);
    if (url !== location.pathname + location.search) history.replaceState(null, '', url);
    let live = true;
    setLoading(true);
    setError(null);
    answer(api.GET('/v1/links', { params: { query: linkQuery(filters) } }))
      .then((res) => {
        if (!live) return;
        setItems(res.items);
        setCursor(res.nextCursor ?? null);
        setSelected(new Set());
      })
      .catch((err) => live && setError(err))
      .finally(() => live && setLoading(false));
    return () => {
      live = false;
    };
  }, [filters, version]);

  const loadMore = async () => {
    if (!cursor) return;
    setLoading(true);
    try {
      const res = await answer(api.GET('/v1/links', { params: { query: linkQuery(filters, cursor) } }));
      setItems((list) => [...list, ...res.items]);
      setCursor(res.nextCursor ?? null);
    } catch (err) {
      setError(err);
    } finally {
      setLoading(false);
    }
  };

  // Captures still running (new links, re-captures) update in place when they finish.
  useJobPolling(
    items
      .map((l) => l.latestSnapshot)
      .filter((s) => s && !isFinal(s.status))
      .map((s) => s?.id as string),
    (jobId, job) => {
      if (!job || !isFinal(job.state)) return;
      // A failed attempt or an error page changes the state, never the copy shown.
      const good = job.state !== 'failed' && !job.errorCapture;
      const hasThumb = good && job.snapshot?.artifacts?.some((a) => a.kind === 'thumbnail');
      const latest = { status: job.state, httpStatus: job.snapshot?.httpStatus, errorCapture: job.errorCapture };
      setItems((list) =>
        list.map((l) =>
          l.latestSnapshot?.id === jobId
            ? {
                ...l,
                title: l.title ?? (good ? job.snapshot?.title : null) ?? null,
                latestSnapshot: { ...l.latestSnapshot, ...latest },
                lastGoodSnapshot: good
                  ? { id: jobId, title: job.snapshot?.title ?? null, finishedAt: job.snapshot?.finishedAt ?? null }
                  : l.lastGoodSnapshot,
                thumbnailUrl: hasThumb ? artifactUrl(jobId, 'thumbnail') : l.thumbnailUrl,
              }
            : l,
        ),
      );
    },
  );

  const refresh = () => {
    setVersion((v) => v + 1);
    tagsState.reload();
  };
  const toggleTag = (name: string) =>
    setFilters((f) => ({
      ...f,
      tags: f.tags.includes(name) ? f.tags.filter((n) => n !== name) : [...f.tags, name],
    }));
  const filtered = filters.tags.length > 0 || filters.q.trim() !== '' || filters.status !== '';

  return (
    <div class="links-layout">
      <aside class="sidebar card" aria-labelledby="tag-filter-title">
        <h2 id="tag-filter-title">{t('links.filterTags')}</h2>
        {tagsState.loading && tagsState.tags.length === 0 ? (
          <Loading />
        ) : tagsState.error ? (
          <ErrorState error={tagsState.error} onRetry={tagsState.reload} />
        ) : tagsState.tags.length === 0 ? (
          <Empty>{t('tags.empty')}</Empty>
        ) : (
          <ul class="tag-filter">
            <li>
              <button
                type="button"
                class="tag-toggle"
                aria-pressed={filters.tags.length === 0}
                onClick={() => setFilters((f) => ({ ...f, tags: [] }))}
              >
                {t('links.allLinks')}
              </button>
            </li>
            {tagsState.tags.map((tag) => (
              <li key={tag.id}>
                <button
                  type="button"
                  class="tag-toggle"
                  aria-pressed={filters.tags.includes(tag.name)}
                  onClick={() => toggleTag(tag.name)}
                >
                  <span>{tag.name}</span>
                  <span class="count">{t('tags.count', { count: tag.linkCount ?? 0 })}</span>
                </button>
              </li>
            ))}
          </ul>
        )}
        <fieldset class="match">
          <legend>{t('links.match')}</legend>
          {(['any', 'all'] as const).map((m) => (
            <label key={m} class="radio">
              <input
                type="radio"
                name="match"
                value={m}
                checked={filters.match === m}
                onChange={() => setFilters((f) => ({ ...f, match: m }))}
              />
              {t(m === 'any' ? 'links.match.any' : 'links.match.all')}
            </label>
          ))}
        </fieldset>
      </aside>
      <section class="page links-main" aria-labelledby="links-title">
        <h1 id="links-title">{t('links.title')}</h1>
        <form
          class="toolbar"
          onSubmit={(e) => {
            e.preventDefault();
            setFilters((f) => ({ ...f, q: search }));
          }}
        >
          <div class="field">
            <label for="links-q">{t('links.search')}</label>
            <input
              id="links-q"
              type="search"
              value={search}
              placeholder={t('links.searchPlaceholder')}
              onInput={(e) => setSearch((e.target as HTMLInputElement).value)}
            />
          </div>
          <button type="submit" class="button">
            {t('links.search')}
          </button>
          <div class="field">
            <label for="links-status">{t('links.status')}</label>
            <select
              id="links-status"
              value={filters.status}
              onChange={(e) => setFilters((f) => ({ ...f, status: (e.target as HTMLSelectElement).value }))}
            >
              <option value="">{t('links.status.all')}</option>
              {STATES.map((s) => (
                <option key={s} value={s}>
                  {t(`state.${s}`)}
                </option>
              ))}
            </select>
          </div>
          <fieldset class="segmented">
            <legend class="visually-hidden">{t('links.view')}</legend>
            {(['grid', 'list'] as const).map((l) => (
              <button key={l} type="button" class="button" aria-pressed={layout === l} onClick={() => setLayout(l)}>
                {t(l === 'grid' ? 'links.view.grid' : 'links.view.list')}
              </button>
            ))}
          </fieldset>
        </form>
        {selected.size > 0 && (
          <BulkBar
            ids={[...selected]}
            suggestions={tagsState.tags}
            onDone={refresh}
            onClear={() => setSelected(new Set())}
          />
        )}
        {items.length > 0 && (
          <label class="select-all">
            <input
              type="checkbox"
              checked={selected.size === items.length}
              onChange={(e) =>
                setSelected((e.target as HTMLInputElement).checked ? new Set(items.map((i) => i.id)) : new Set())
              }
            />
            {t('links.selectAll')}
          </label>
        )}
        {error && items.length === 0 ? (
          <ErrorState error={error} onRetry={refresh} />
        ) : loading && items.length === 0 ? (
          <Loading />
        ) : items.length === 0 ? (
          <Empty>{filtered ? t('links.emptyFiltered') : t('links.empty')}</Empty>
        ) : (
          <ul class={`links links-${layout}`} aria-busy={loading}>
            {items.map((link) => (
              <LinkCard
                key={link.id}
                link={link}
                suggestions={tagsState.tags}
                selected={selected.has(link.id)}
                onSelect={(on) =>
                  setSelected((s) => {
                    const next = new Set(s);
                    if (on) next.add(link.id);
                    else next.delete(link.id);
                    return next;
                  })
                }
                onChanged={(updated) => {
                  setItems((list) => list.map((l) => (l.id === updated.id ? updated : l)));
                  tagsState.reload();
                }}
                onTagClick={(name) => setFilters((f) => ({ ...f, tags: [name] }))}
              />
            ))}
          </ul>
        )}
        {error && items.length > 0 ? <ErrorState error={error} /> : null}
        {cursor && (
          <button type="button" class="button load-more" disabled={loading} onClick={loadMore}>
            {loading ? t('common.loading') : t('links.loadMore')}
          </button>
        )}
      </section>
    </div>
  );
}
