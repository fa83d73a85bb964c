/**
 * Snapshot viewer (/links/:id): tabs for screenshot, PDF, archived page (sandboxed iframe),
 * readable text, metadata and capture report; a version list; capture again; downloads.
 */
import { useEffect, useState } from 'preact/hooks';
import { answer, api, artifactUrl, type Job, type LinkItem, type Snapshot } from './api';
import { CaptureState, isBadAttempt } from './capture-state';
import { isMessageKey, type MessageKey, useI18n } from './i18n';
import { isFinal, useJobPolling } from './jobs';
import { Link, navigate } from './router';
import { ConfirmDialog, ErrorState, FieldError, Loading } from './ui';
import { CompareView, DeadBadge, ScheduleControl } from './versions-ui';
import { kindLabel, TABS, type Tab, TabPanel } from './viewer-panels';

export function ViewerView({ id }: { id: string }) {
  const { t, formatDate } = useI18n();
  const [link, setLink] = useState<LinkItem | null>(null);
  const [versions, setVersions] = useState<Snapshot[]>([]);
  const [current, setCurrent] = useState<Snapshot | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [loading, setLoading] = useState(true);
  const [tab, setTab] = useState<Tab>('screenshot');
  const [capturing, setCapturing] = useState<{ id: string; stage: string } | null>(null);
  const [version, setVersion] = useState(0);
  const [comparing, setComparing] = useState(false);

  useEffect(() => {
    let live = true;
    setLoading(true);
    (async () => {
      try {
        const params = { path: { id } };
        const linkRes: LinkItem = await answer(api.GET('/v1/links/{id}', { params }));
        const list: Snapshot[] = await answer(api.GET('/v1/links/{id}/snapshots', { params }))
          .then((r) => r.items)
          .catch(() => (linkRes.latestSnapshot ? [{ ...linkRes.latestSnapshot } as Snapshot] : []));
        const sorted = [...list].sort((a, b) => (b.requestedAt ?? '').localeCompare(a.requestedAt ?? ''));
        const chosen = shownVersion(sorted, linkRes.lastGoodSnapshotId);
        const full = chosen
          ? await answer(api.GET('/v1/snapshots/{id}', { params: { path: { id: chosen.id } } }))
          : null;
        if (!live) return;
        setLink(linkRes);
        setVersions(sorted);
        setCurrent(full);
        setError(null);
      } catch (err) {
        if (live) setError(err);
      } finally {
        if (live) setLoading(false);
      }
    })();
    return () => {
      live = false;
    };
  }, [id, version]);

  useJobPolling(capturing ? [capturing.id] : [], (_jobId, job: Job | null) => {
    if (!job) return;
    if (isFinal(job.state)) {
      setCapturing(null);
      setVersion((v) => v + 1);
    } else setCapturing((c) => (c ? { ...c, stage: job.progress.stage } : c));
  });

  const select = async (snapshotId: string) => {
    try {
      setCurrent(await answer(api.GET('/v1/snapshots/{id}', { params: { path: { id: snapshotId } } })));
    } catch (err) {
      setError(err);
    }
  };
  const [confirmDelete, setConfirmDelete] = useState(false);
  const deleteLink = async () => {
    setConfirmDelete(false);
    try {
      await answer(api.DELETE('/v1/links/{id}', { params: { path: { id } } }));
      navigate('/links');
    } catch (err) {
      setError(err);
    }
  };
  const captureAgain = async () => {
    try {
      const res = await answer(api.POST('/v1/links/{id}/snapshots', { params: { path: { id } } }));
      setCapturing({ id: res.snapshot.id, stage: 'queued' });
    } catch (err) {
      setError(err);
    }
  };

  if (loading && !link) return <Loading />;
  if (error && !link) return <ErrorState error={error} onRetry={() => setVersion((v) => v + 1)} />;
  if (!link) return null;
  const title = link.title || (current?.errorCapture ? null : current?.title) || link.url;
  const good = versions.find((v) => v.id === link.lastGoodSnapshotId);
  const kinds = new Set(current?.artifacts?.map((a) => a.kind) ?? []);
  const stageKey = `stage.${capturing?.stage ?? 'queued'}`;

  return (
    <section class="page viewer" aria-labelledby="viewer-title">
      <p>
        <Link href="/links">← {t('viewer.back')}</Link>
      </p>
      <h1 id="viewer-title">{title}</h1>
      <p class="link-meta">
        <a href={link.url} rel="noopener noreferrer" target="_blank">
          {t('viewer.original')}
        </a>
        <CaptureState
          latest={versions[0]}
          good={good && { id: good.id, finishedAt: good.finishedAt ?? good.requestedAt }}
        />
        <DeadBadge deadAt={link.deadAt} />
      </p>
      <ScheduleControl
        key={`${link.schedule?.every ?? ''}-${link.schedule?.source ?? ''}`}
        target="links"
        id={link.id}
        every={link.schedule?.source === 'link' ? link.schedule.every : null}
        nextCaptureAt={link.nextCaptureAt}
        inheritedFrom={
          link.schedule?.source === 'tag' ? (link.tags.find((g) => g.id === link.schedule?.tagId)?.name ?? null) : null
        }
        onSaved={() => setVersion((v) => v + 1)}
      />
      {current?.source === 'upload' && (
        <p class="hint uploaded-capture" role="note">
          {t('viewer.uploaded')}
        </p>
      )}
      {current?.errorCapture && (
        <p class="hint error-capture" role="note">
          {t('viewer.errorCapture', { status: String(current.httpStatus ?? '') })}
        </p>
      )}
      <div class="row">
        <button type="button" class="button button-primary" onClick={captureAgain} disabled={capturing !== null}>
          {t('viewer.captureAgain')}
        </button>
        <button type="button" class="button" aria-pressed={comparing} onClick={() => setComparing((c) => !c)}>
          {comparing ? t('viewer.closeCompare') : t('viewer.compare')}
        </button>
        <button type="button" class="button button-danger" onClick={() => setConfirmDelete(true)}>
          {t('common.delete')}
        </button>
        {confirmDelete && (
          <ConfirmDialog
            message={t('links.deleteOneConfirm', { title })}
            onCancel={() => setConfirmDelete(false)}
            onConfirm={deleteLink}
          />
        )}
        {capturing && (
          <span role="status">
            {t('viewer.capturing', { stage: t(isMessageKey(stageKey) ? (stageKey as MessageKey) : 'stage.queued') })}
          </span>
        )}
      </div>
      <FieldError error={error} />
      <div class="viewer-layout">
        <nav class="versions card" aria-labelledby="versions-title">
          <h2 id="versions-title">{t('viewer.versions')}</h2>
          <ul>
            {versions.map((v) => (
              <li key={v.id}>
                <button
                  type="button"
                  class="version"
                  aria-current={current?.id === v.id ? 'true' : undefined}
                  onClick={() => select(v.id)}
                >
                  {t('viewer.version', {
                    date: formatDate(v.finishedAt ?? v.requestedAt),
                    state: v.errorCapture
                      ? t('state.errorPage', { status: String(v.httpStatus ?? '') })
                      : t(isMessageKey(`state.${v.status}`) ? (`state.${v.status}` as MessageKey) : 'state.none'),
                  })}
                </button>
              </li>
            ))}
          </ul>
        </nav>
        <div class="viewer-main">
          {comparing ? (
            <CompareView versions={versions} initialTo={current?.id} />
          ) : !current ? (
            <p class="state state-empty">{t('viewer.noSnapshot')}</p>
          ) : (
            <>
              <div role="tablist" aria-label={t('viewer.tabs')} class="tabs">
                {TABS.map((name) => (
                  <button
                    key={name}
                    type="button"
                    role="tab"
                    id={`tab-${name}`}
                    aria-selected={tab === name}
                    aria-controls="tab-panel"
                    tabIndex={tab === name ? 0 : -1}
                    class="tab"
                    onClick={() => setTab(name)}
                    onKeyDown={(e) => {
                      const step = e.key === 'ArrowRight' ? 1 : e.key === 'ArrowLeft' ? -1 : 0;
                      if (!step) return;
                      const next = TABS[(TABS.indexOf(name) + step + TABS.length) % TABS.length] as Tab;
                      setTab(next);
                      document.getElementById(`tab-${next}`)?.focus();
                    }}
                  >
                    {t(`viewer.tab.${name}`)}
                  </button>
                ))}
              </div>
              <div id="tab-panel" role="tabpanel" aria-labelledby={`tab-${tab}`} class="tab-panel card">
                <TabPanel tab={tab} snapshot={current} title={title} available={kinds} />
              </div>
              <h2>{t('viewer.downloads')}</h2>
              <ul class="downloads">
                {(current.artifacts ?? []).map((a) => (
                  <li key={a.kind}>
                    <a
                      class="button button-small"
                      href={artifactUrl(current.id, a.kind)}
                      download={`${current.id}-${a.kind}`}
                    >
                      {t('viewer.download', { kind: kindLabel(t, a.kind) })}
                    </a>
                  </li>
                ))}
              </ul>
            </>
          )}
        </div>
      </div>
    </section>
  );
}

/** The version opened first: the newest, unless it failed or is an error page and a good copy exists. */
function shownVersion(newestFirst: Snapshot[], lastGoodId: string | null | undefined): Snapshot | undefined {
  const newest = newestFirst[0];
  if (!isBadAttempt(newest)) return newest;
  return newestFirst.find((v) => v.id === lastGoodId) ?? newest;
}
