/** The viewer's tab contents: screenshot, PDF, sandboxed archive, replay, text, metadata, report. */
import { useEffect, useState } from 'preact/hooks';
import { ApiError, answer, api, artifactUrl, type Snapshot } from './api';
import { isMessageKey, type MessageKey, useI18n } from './i18n';
import { ReplayTab } from './replay-frame';
import { ErrorState, ErrorText, Loading } from './ui';

export const TABS = ['screenshot', 'pdf', 'archive', 'replay', 'text', 'metadata', 'report'] as const;
export type Tab = (typeof TABS)[number];
/** Which artifact each tab shows (the report comes from the snapshot record itself). */
const TAB_KIND: Record<Tab, string | null> = {
  screenshot: 'screenshot',
  pdf: 'pdf',
  archive: 'html',
  replay: 'wacz',
  text: 'text',
  metadata: 'metadata',
  report: null,
};

export const kindLabel = (t: (k: MessageKey) => string, kind: string) => {
  const key = `kind.${kind}`;
  return isMessageKey(key) ? t(key as MessageKey) : kind;
};

export function TabPanel(props: { tab: Tab; snapshot: Snapshot; title: string; available: Set<string> }) {
  const { t } = useI18n();
  const { tab, snapshot, title } = props;
  const kind = TAB_KIND[tab];
  if (tab === 'report') return <Report snapshot={snapshot} />;
  const textKind =
    tab === 'text' && !props.available.has('text') && props.available.has('readable') ? 'readable' : kind;
  if (!textKind || !props.available.has(textKind)) {
    return <p class="state state-empty">{t('viewer.noArtifact', { kind: kindLabel(t, kind ?? tab) })}</p>;
  }
  const url = artifactUrl(snapshot.id, textKind);
  switch (tab) {
    case 'screenshot':
      return <img class="screenshot" src={url} alt={t('viewer.screenshotAlt', { title })} />;
    case 'pdf':
      return <PdfEmbed url={url} title={title} />;
    case 'archive':
      return <ArchiveFrame snapshotId={snapshot.id} kind="html" title={t('viewer.archiveTitle', { title })} />;
    case 'replay':
      return <ReplayTab snapshotId={snapshot.id} title={title} />;
    default:
      return <TextArtifact url={url} json={tab === 'metadata'} html={textKind === 'readable'} />;
  }
}

/** The archived page in an iframe with every sandbox flag off; a signed /archive URL when offered. */
function ArchiveFrame({ snapshotId, kind, title }: { snapshotId: string; kind: string; title: string }) {
  const { t } = useI18n();
  const [src, setSrc] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    answer(api.GET('/v1/snapshots/{id}/artifacts/{kind}/url', { params: { path: { id: snapshotId, kind } } }))
      .then((res) => live && setSrc(res.url))
      .catch(() => live && setSrc(artifactUrl(snapshotId, kind)));
    return () => {
      live = false;
    };
  }, [snapshotId, kind]);
  if (!src) return <Loading />;
  return (
    <div>
      <iframe class="archive-frame" sandbox="" src={src} title={title} referrerpolicy="no-referrer" />
      <p class="hint">
        <a href={src} target="_blank" rel="noopener noreferrer">
          {t('viewer.archiveNewTab')}
        </a>
      </p>
    </div>
  );
}

function TextArtifact({ url, json, html }: { url: string; json: boolean; html: boolean }) {
  const [body, setBody] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    let live = true;
    fetch(url, { credentials: 'same-origin' })
      .then(async (res) => {
        if (!res.ok) throw new Error(String(res.status));
        const text = await res.text();
        if (!live) return;
        if (json) {
          try {
            setBody(JSON.stringify(JSON.parse(text), null, 2));
            return;
          } catch {
            // shown as it is
          }
        }
        // Readable HTML is shown as text only: archived markup never becomes live DOM here.
        setBody(html ? (new DOMParser().parseFromString(text, 'text/html').body.textContent ?? '') : text);
      })
      .catch((err) => live && setError(err));
    return () => {
      live = false;
    };
  }, [url, json, html]);
  if (error) return <ErrorState error={error} />;
  if (body === null) return <Loading />;
  return <pre class={json ? 'text-artifact code' : 'text-artifact'}>{body}</pre>;
}

function Report({ snapshot }: { snapshot: Snapshot }) {
  const { t, formatDate } = useI18n();
  const rows: [MessageKey, string][] = [];
  const add = (key: MessageKey, value: unknown) => {
    if (value !== null && value !== undefined && value !== '') rows.push([key, String(value)]);
  };
  add('viewer.field.title', snapshot.title);
  add('viewer.field.httpStatus', snapshot.httpStatus);
  add('viewer.field.finalUrl', snapshot.finalUrl);
  add('viewer.field.contentType', snapshot.contentType);
  add('viewer.field.lang', snapshot.lang);
  add('viewer.field.requested', formatDate(snapshot.requestedAt));
  add('viewer.field.finished', snapshot.finishedAt ? formatDate(snapshot.finishedAt) : null);
  add('viewer.field.attempts', snapshot.attempts);
  const missing = Array.isArray(snapshot.missing)
    ? snapshot.missing.map((m) => (typeof m === 'string' ? m : ((m as { kind?: string }).kind ?? ''))).join(', ')
    : null;
  add('viewer.field.missing', missing);
  const timings = Object.entries(snapshot.timings ?? {});
  return (
    <div>
      {snapshot.error && (
        <p class="field-error">
          {t('viewer.field.error')}: <ErrorText error={new ApiError(snapshot.error.code, 0)} />
        </p>
      )}
      <dl class="facts">
        {rows.map(([key, value]) => (
          <div key={key}>
            <dt>{t(key)}</dt>
            <dd>{value}</dd>
          </div>
        ))}
      </dl>
      {timings.length > 0 && (
        <>
          <h3>{t('viewer.field.timings')}</h3>
          <dl class="facts">
            {timings.map(([stage, ms]) => (
              <div key={stage}>
                <dt>{isMessageKey(`stage.${stage}`) ? t(`stage.${stage}` as MessageKey) : stage}</dt>
                <dd>{t('viewer.ms', { ms: Math.round(ms) })}</dd>
              </div>
            ))}
          </dl>
        </>
      )}
    </div>
  );
}

/**
 * The PDF through a same-origin blob: URL, so the embed does not depend on the artifact
 * route's framing headers; the download link is always there as the fallback.
 */
function PdfEmbed({ url, title }: { url: string; title: string }) {
  const { t } = useI18n();
  const [blobUrl, setBlobUrl] = useState<string | null>(null);
  const [failed, setFailed] = useState(false);
  useEffect(() => {
    let live = true;
    let created: string | null = null;
    fetch(url, { credentials: 'same-origin' })
      .then(async (res) => {
        if (!res.ok) throw new Error(String(res.status));
        const blob = new Blob([await res.arrayBuffer()], { type: 'application/pdf' });
        created = URL.createObjectURL(blob);
        if (live) setBlobUrl(created);
      })
      .catch(() => live && setFailed(true));
    return () => {
      live = false;
      if (created) URL.revokeObjectURL(created);
    };
  }, [url]);
  return (
    <div>
      {blobUrl ? <embed class="pdf" src={blobUrl} type="application/pdf" title={title} /> : failed ? null : <Loading />}
      <p class="hint">
        <a href={url} download>
          {t('viewer.pdfFallback')}
        </a>
      </p>
    </div>
  );
}
