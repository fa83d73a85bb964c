/**
 * A link's capture state next to the copy it shows: when the latest attempt failed or got an
 * error page (4xx/5xx) but an older good copy exists, say so and date that copy, so a user never
 * mistakes a dead site's error for the archive they still have.
 */
import type { LinkItem, Snapshot } from './api';
import { useI18n } from './i18n';
import { StateBadge } from './ui';

type Attempt = Pick<Snapshot, 'id' | 'status' | 'httpStatus' | 'errorCapture'>;

/** An attempt that produced no usable copy: failed, or an error page. */
export function isBadAttempt(attempt: Pick<Snapshot, 'status' | 'errorCapture'> | null | undefined): boolean {
  return attempt?.status === 'failed' || attempt?.errorCapture === true;
}

export function CaptureState(props: {
  latest: Attempt | LinkItem['latestSnapshot'] | null | undefined;
  /** The newest good copy and when it was taken. */
  good?: { id: string; finishedAt?: string | null } | null;
}) {
  const { t, formatDate } = useI18n();
  const { latest, good } = props;
  const status = String(latest?.httpStatus ?? '');
  if (latest && good && good.id !== latest.id && isBadAttempt(latest)) {
    const date = formatDate(good.finishedAt);
    return (
      <span class="badge badge-stale" data-state="last-failed" role="note">
        {latest.errorCapture ? t('capture.lastErrorPage', { status, date }) : t('capture.lastFailed', { date })}
      </span>
    );
  }
  if (latest?.errorCapture) {
    return (
      <span class="badge badge-error" data-state="error-page">
        {t('state.label', { state: t('state.errorPage', { status }) })}
      </span>
    );
  }
  return <StateBadge state={latest?.status} />;
}
