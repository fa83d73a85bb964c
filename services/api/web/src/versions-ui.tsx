/**
 * Versions that track change, in the UI: the re-capture schedule control (viewer and tags), the
 * "gone since" badge, and the compare view of two versions (side-by-side screenshots with the
 * changed regions boxed, and the text diff).
 */
import { useEffect, useState } from 'preact/hooks';
import { answer, api, type Box, type Diff, type Snapshot } from './api';
import { useI18n } from './i18n';
import { FieldError, Loading } from './ui';

const NAMED = ['daily', 'weekly', 'monthly'] as const;

/** `every` of a link or tag: none, daily, weekly, monthly, or a cron expression (UTC). */
export function ScheduleControl(props: {
  target: 'links' | 'tags';
  id: string;
  every: string | null;
  nextCaptureAt?: string | null;
  /** Where an inherited schedule comes from (the link has none of its own). */
  inheritedFrom?: string | null;
  onSaved: () => void;
}) {
  const { t, formatDate } = useI18n();
  const initial = props.every ?? '';
  const [mode, setMode] = useState<string>(
    initial === '' ? 'none' : NAMED.includes(initial as never) ? initial : 'cron',
  );
  const [cron, setCron] = useState(mode === 'cron' ? initial : '0 6 * * *');
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const save = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const params = { path: { id: props.id } };
      const body = { every: mode === 'cron' ? cron.trim() : mode };
      if (props.target === 'links') {
        if (mode === 'none') await answer(api.DELETE('/v1/links/{id}/schedule', { params }));
        else await answer(api.PUT('/v1/links/{id}/schedule', { params, body }));
      } else if (mode === 'none') await answer(api.DELETE('/v1/tags/{id}/schedule', { params }));
      else await answer(api.PUT('/v1/tags/{id}/schedule', { params, body }));
      props.onSaved();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  const selectId = `schedule-${props.id}`;
  return (
    <form class="schedule row" onSubmit={save}>
      <label for={selectId}>{t('schedule.label')}</label>
      <select id={selectId} value={mode} onChange={(e) => setMode((e.target as HTMLSelectElement).value)}>
        <option value="none">
          {props.inheritedFrom ? t('schedule.inherited', { name: props.inheritedFrom }) : t('schedule.none')}
        </option>
        {NAMED.map((n) => (
          <option key={n} value={n}>
            {t(`schedule.${n}`)}
          </option>
        ))}
        <option value="cron">{t('schedule.cron')}</option>
      </select>
      {mode === 'cron' && (
        <input
          aria-label={t('schedule.cronLabel')}
          class="schedule-cron"
          value={cron}
          onInput={(e) => setCron((e.target as HTMLInputElement).value)}
        />
      )}
      <button type="submit" class="button button-small" disabled={busy}>
        {t('common.save')}
      </button>
      {props.nextCaptureAt && <span class="hint">{t('schedule.next', { date: formatDate(props.nextCaptureAt) })}</span>}
      <FieldError error={error} />
    </form>
  );
}

export function DeadBadge({ deadAt }: { deadAt: string | null | undefined }) {
  const { t, formatDate } = useI18n();
  if (!deadAt) return null;
  return <span class="badge badge-dead">{t('links.goneSince', { date: formatDate(deadAt) })}</span>;
}

/** Two versions side by side (older left), changed regions boxed on both, and the text diff. */
export function CompareView({ versions, initialTo }: { versions: Snapshot[]; initialTo: string | undefined }) {
  const { t, formatDate } = useI18n();
  const comparable = versions.filter((v) => v.status === 'succeeded' || v.status === 'partial');
  const toDefault = initialTo && comparable.some((v) => v.id === initialTo) ? initialTo : comparable[0]?.id;
  const [to, setTo] = useState(toDefault ?? '');
  const [from, setFrom] = useState(comparable.find((v) => v.id !== toDefault)?.id ?? '');
  const [diff, setDiff] = useState<Diff | null>(null);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    let live = true;
    setDiff(null);
    setError(null);
    if (!from || !to || from === to) return;
    answer(api.GET('/v1/snapshots/{id}/diff', { params: { path: { id: to }, query: { against: from } } }))
      .then((d) => live && setDiff(d))
      .catch((err) => live && setError(err));
    return () => {
      live = false;
    };
  }, [from, to]);
  if (comparable.length < 2) return <p class="state state-empty">{t('compare.needTwo')}</p>;
  const picker = (id: string, value: string, set: (v: string) => void, label: string) => (
    <label>
      {label}{' '}
      <select id={id} value={value} onChange={(e) => set((e.target as HTMLSelectElement).value)}>
        {comparable.map((v) => (
          <option key={v.id} value={v.id}>
            {formatDate(v.finishedAt ?? v.requestedAt)}
          </option>
        ))}
      </select>
    </label>
  );
  return (
    <div class="compare">
      <div class="row">
        {picker('compare-from', from, setFrom, t('compare.from'))}
        {picker('compare-to', to, setTo, t('compare.to'))}
      </div>
      <FieldError error={error} />
      {from === to ? (
        <p class="hint">{t('compare.same')}</p>
      ) : !diff ? (
        !error && <Loading />
      ) : (
        <CompareResult diff={diff} />
      )}
    </div>
  );
}

function CompareResult({ diff }: { diff: Diff }) {
  const { t } = useI18n();
  const changes = diff.text.filter((op) => op.op !== 'equal').length;
  return (
    <>
      {diff.visual ? (
        <>
          <p class="hint">{t('compare.visual', { percent: (diff.visual.changedRatio * 100).toFixed(2) })}</p>
          <div class="compare-shots">
            <BoxedShot
              snapshotId={diff.from}
              boxes={diff.visual.boxes}
              size={diff.visual}
              label={t('compare.before')}
            />
            <BoxedShot snapshotId={diff.to} boxes={diff.visual.boxes} size={diff.visual} label={t('compare.after')} />
          </div>
          {diff.imageUrl && (
            <p class="hint">
              <a href={diff.imageUrl} target="_blank" rel="noopener noreferrer">
                {t('compare.highlight')}
              </a>
            </p>
          )}
        </>
      ) : (
        <p class="hint">{t('compare.noScreens')}</p>
      )}
      <h3>{t('compare.text', { count: changes })}</h3>
      <p class="text-diff">
        {diff.text.map((op, i) =>
          op.op === 'insert' ? (
            <ins key={i}>{op.text}</ins>
          ) : op.op === 'delete' ? (
            <del key={i}>{op.text}</del>
          ) : (
            <span key={i}>{elide(op.text)}</span>
          ),
        )}
      </p>
    </>
  );
}

/** Long unchanged runs keep their ends only. */
function elide(text: string): string {
  return text.length > 400 ? `${text.slice(0, 180)} … ${text.slice(-180)}` : text;
}

function BoxedShot(props: {
  snapshotId: string;
  boxes: Box[];
  size: { width: number; height: number };
  label: string;
}) {
  const { width, height } = props.size;
  const pct = (v: number, of: number) => `${(v / of) * 100}%`;
  return (
    <figure class="compare-shot">
      <figcaption>{props.label}</figcaption>
      {/* The compared area only (the common size), so boxes sit where they belong. */}
      <div class="compare-frame" style={{ aspectRatio: `${width} / ${height}` }}>
        <img src={`/v1/snapshots/${props.snapshotId}/artifacts/screenshot`} alt={props.label} />
        {props.boxes.map((b) => (
          <span
            key={`${b.x}-${b.y}`}
            class="change-box"
            style={{
              left: pct(b.x, width),
              top: pct(b.y, height),
              width: pct(b.width, width),
              height: pct(b.height, height),
            }}
          />
        ))}
      </div>
    </figure>
  );
}
