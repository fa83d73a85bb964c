/**
 * The offline replay of a snapshot's WACZ: ReplayWeb.page's player, served by the API on the
 * archive origin, in a frame. The frame has no `sandbox` attribute because the player needs
 * script and a service worker of its own origin; isolation comes from that origin (ARCHIVE_ORIGIN)
 * and the player's CSP, which lets nothing leave it (docs/decisions/0009-offline-replay.md).
 */
import { useEffect, useState } from 'preact/hooks';
import { answer, api, type SnapshotView } from './api';
import { useI18n } from './i18n';
import { Link } from './router';
import { ErrorState, Loading } from './ui';

/** A fresh signed player URL (they live a few minutes; the player loads the archive at once). */
function useReplayUrl(snapshotId: string): { url: string | null; error: unknown } {
  const [state, setState] = useState<{ url: string | null; error: unknown }>({ url: null, error: null });
  useEffect(() => {
    let live = true;
    setState({ url: null, error: null });
    answer(api.GET('/v1/snapshots/{id}/replay', { params: { path: { id: snapshotId } } }))
      .then((res) => live && setState({ url: res.url, error: null }))
      .catch((error) => live && setState({ url: null, error }));
    return () => {
      live = false;
    };
  }, [snapshotId]);
  return state;
}

export function ReplayFrame({
  snapshotId,
  title,
  full = false,
}: {
  snapshotId: string;
  title: string;
  full?: boolean;
}) {
  const { url, error } = useReplayUrl(snapshotId);
  if (error) return <ErrorState error={error} />;
  if (!url) return <Loading />;
  return (
    <iframe
      class={full ? 'replay-frame replay-frame-full' : 'replay-frame'}
      src={url}
      title={title}
      referrerpolicy="no-referrer"
      allow="fullscreen"
      data-testid="replay-frame"
    />
  );
}

/** The viewer's Replay tab: the replay, and the way to the full-screen view. */
export function ReplayTab({ snapshotId, title }: { snapshotId: string; title: string }) {
  const { t } = useI18n();
  return (
    <div>
      <ReplayFrame snapshotId={snapshotId} title={t('viewer.replayTitle', { title })} />
      <p class="hint">
        <Link href={`/snapshots/${encodeURIComponent(snapshotId)}/replay`}>{t('viewer.replayFullScreen')}</Link>
      </p>
    </div>
  );
}

/** /snapshots/:id/replay — the replay over the whole window, with a way back to the viewer. */
export function ReplayView({ snapshotId }: { snapshotId: string }) {
  const { t } = useI18n();
  const [snapshot, setSnapshot] = useState<SnapshotView | null>(null);
  useEffect(() => {
    answer(api.GET('/v1/snapshots/{id}', { params: { path: { id: snapshotId } } }))
      .then(setSnapshot)
      .catch(() => {});
  }, [snapshotId]);
  const title = snapshot?.title || snapshot?.finalUrl || '';
  return (
    <section class="replay-full" aria-label={t('viewer.replayTitle', { title })}>
      <div class="replay-bar">
        <Link href={snapshot ? `/links/${encodeURIComponent(snapshot.linkId)}` : '/links'} class="button button-small">
          ← {t('viewer.replayBack')}
        </Link>
        <span class="replay-bar-title">{title}</span>
      </div>
      <ReplayFrame snapshotId={snapshotId} title={t('viewer.replayTitle', { title })} full />
    </section>
  );
}
