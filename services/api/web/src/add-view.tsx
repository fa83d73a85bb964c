/**
 * 添加链接 / Add link: paste one or many URLs, pick tags, submit; each link then shows its
 * capture stage live (polling its job) and its thumbnail once done.
 */
import { useEffect, useState } from 'preact/hooks';
import { ApiError, artifactUrl, type Job, type Snapshot, submitLinks } from './api';
import { isMessageKey, type MessageKey, useI18n } from './i18n';
import { isFinal, useJobPolling } from './jobs';
import { Link } from './router';
import { TagInput } from './tag-input';
import { useTags } from './tags-store';
import { ErrorText, StateBadge } from './ui';

interface Submission {
  key: string;
  url: string;
  state: string;
  stage: string;
  percent: number;
  error: unknown;
  linkId?: string;
  snapshotId?: string;
  title?: string | null;
  image?: string;
}

function imageOf(snapshot: Snapshot | null): string | undefined {
  const kinds = snapshot?.artifacts?.map((a) => a.kind) ?? [];
  if (!snapshot) return undefined;
  if (kinds.includes('thumbnail')) return artifactUrl(snapshot.id, 'thumbnail');
  if (kinds.includes('screenshot')) return artifactUrl(snapshot.id, 'screenshot');
  return undefined;
}

/**
 * The address a share (the installed app's share target: url, text, title) or the bookmarklet
 * (url) brought here. Android's share sheet often puts the link in `text`, with words around it.
 */
export function sharedUrl(search: string): string {
  const params = new URLSearchParams(search);
  for (const value of [params.get('url'), params.get('text'), params.get('title')]) {
    const found = value?.match(/https?:\/\/\S+/i)?.[0];
    if (found) return found;
  }
  return '';
}

/** Kept across navigation so a batch's progress is still there after a look at the list. */
let kept: Submission[] = [];

export function AddView() {
  const { t } = useI18n();
  const tagsState = useTags();
  const [text, setText] = useState(() => sharedUrl(location.search));
  const [tags, setTags] = useState<string[]>([]);
  const [busy, setBusy] = useState(false);
  const [formError, setFormError] = useState('');
  const [items, setItems] = useState<Submission[]>(() => kept);
  useEffect(() => {
    kept = items;
  }, [items]);

  const update = (key: string, patch: Partial<Submission>) =>
    setItems((list) => list.map((item) => (item.key === key ? { ...item, ...patch } : item)));

  useJobPolling(
    items.filter((i) => i.snapshotId && !isFinal(i.state) && i.state !== 'error').map((i) => i.snapshotId as string),
    (id, job: Job | null, error) => {
      const item = items.find((i) => i.snapshotId === id);
      if (!item) return;
      if (!job) {
        if (error instanceof ApiError && error.status === 404) update(item.key, { state: 'error', error });
        return;
      }
      update(item.key, {
        state: job.state,
        stage: isFinal(job.state) ? 'done' : job.progress.stage,
        percent: isFinal(job.state) ? 100 : job.progress.percent,
        error: job.error ? new ApiError(job.error.code, 0) : null,
        title: job.snapshot?.title ?? item.title,
        image: isFinal(job.state) ? imageOf(job.snapshot) : undefined,
      });
      if (isFinal(job.state)) tagsState.reload();
    },
  );

  const submit = async (event: Event) => {
    event.preventDefault();
    const urls = [
      ...new Set(
        text
          .split(/\r?\n/)
          .map((u) => u.trim())
          .filter(Boolean),
      ),
    ];
    if (urls.length === 0) {
      setFormError(t('add.empty'));
      return;
    }
    setFormError('');
    setBusy(true);
    const batch = urls.map((url, i) => ({
      key: `${Date.now()}-${i}`,
      url,
      state: 'submitting',
      stage: 'queued',
      percent: 0,
      error: null,
    }));
    setItems((list) => [...batch, ...list]);
    // One batch call for the whole paste: 100 links are one submission, not 100 (rate limit).
    const results = await submitLinks(
      batch.map((item) => item.url),
      tags,
    );
    batch.forEach((item, i) => {
      const result = results[i];
      if (!result || 'error' in result) update(item.key, { state: 'error', error: result?.error ?? null });
      else {
        const { link, snapshot } = result;
        update(item.key, { state: 'queued', linkId: link.id, snapshotId: snapshot.id, title: link.title });
      }
    });
    setBusy(false);
    setText('');
    tagsState.reload();
  };

  return (
    <section aria-labelledby="add-title" class="page">
      <h1 id="add-title">{t('add.title')}</h1>
      <p class="lead">{t('add.intro')}</p>
      <form class="card form" onSubmit={submit} noValidate>
        <label for="add-urls">{t('add.urls')}</label>
        <textarea
          id="add-urls"
          name="urls"
          rows={4}
          placeholder={t('add.placeholder')}
          value={text}
          aria-invalid={formError ? true : undefined}
          aria-describedby={formError ? 'add-error' : undefined}
          onInput={(e) => setText((e.target as HTMLTextAreaElement).value)}
        />
        {formError && (
          <p id="add-error" class="field-error" role="alert">
            {formError}
          </p>
        )}
        <TagInput label={t('add.tags')} value={tags} onChange={setTags} suggestions={tagsState.tags} />
        <button type="submit" class="button button-primary" disabled={busy}>
          {busy ? t('add.submitting') : t('add.submit')}
        </button>
      </form>
      <h2 class="visually-hidden">{t('add.progress')}</h2>
      {items.length === 0 ? (
        <p class="state state-empty">{t('add.none')}</p>
      ) : (
        <ul class="submissions" aria-live="polite">
          {items.map((item) => (
            <SubmissionRow key={item.key} item={item} />
          ))}
        </ul>
      )}
    </section>
  );
}

function SubmissionRow({ item }: { item: Submission }) {
  const { t } = useI18n();
  const stageKey = `stage.${item.stage}`;
  const stage = t(isMessageKey(stageKey) ? (stageKey as MessageKey) : 'stage.queued');
  const title = item.title || item.url;
  return (
    <li class="submission card" data-state={item.state}>
      <div class="submission-thumb">
        {item.image ? (
          <img src={item.image} alt={t('add.thumbAlt', { title })} loading="lazy" />
        ) : (
          <span class="thumb-placeholder" aria-hidden="true" />
        )}
      </div>
      <div class="submission-body">
        <p class="submission-url">{item.linkId ? <Link href={`/links/${item.linkId}`}>{title}</Link> : title}</p>
        <StateBadge state={item.state} />
        {item.state !== 'error' && !isFinal(item.state) && (
          <div class="progress-line">
            <progress max={100} value={item.percent} aria-label={t('add.progress')} />
            <span class="stage" data-stage={item.stage}>
              {stage}
            </span>
          </div>
        )}
        {item.error ? (
          <p class="field-error">
            <ErrorText error={item.error} />
          </p>
        ) : null}
        {item.linkId && isFinal(item.state) && <Link href={`/links/${item.linkId}`}>{t('add.openLink')}</Link>}
      </div>
    </li>
  );
}
