/** Import a Netscape bookmark file (POST /v1/import, text/html) with progress; export download. */
import { useState } from 'preact/hooks';
import { ApiError } from './api';
import { useI18n } from './i18n';
import { ErrorText } from './ui';

type Phase = 'idle' | 'uploading' | 'processing' | 'done';

function csrf(): string {
  const match = /(?:^|;\s*)csrf=([^;]*)/.exec(document.cookie);
  return match?.[1] ? decodeURIComponent(match[1]) : '';
}

/** XHR rather than fetch: it reports upload progress. */
function upload(file: File, onProgress: (percent: number) => void): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', '/v1/import');
    xhr.setRequestHeader('content-type', 'text/html');
    xhr.setRequestHeader('x-csrf-token', csrf());
    xhr.upload.onprogress = (e) => e.lengthComputable && onProgress(Math.round((e.loaded / e.total) * 100));
    xhr.onload = () => {
      let body: Record<string, unknown> = {};
      try {
        body = JSON.parse(xhr.responseText || '{}');
      } catch {
        // not JSON
      }
      if (xhr.status >= 200 && xhr.status < 300) resolve(body);
      else reject(new ApiError(typeof body.code === 'string' ? body.code : 'INTERNAL', xhr.status, body));
    };
    xhr.onerror = () => reject(new ApiError('NETWORK', 0));
    xhr.send(file);
  });
}

const count = (value: unknown) => (typeof value === 'number' ? value : Array.isArray(value) ? value.length : 0);

export function ImportView() {
  const { t } = useI18n();
  const [file, setFile] = useState<File | null>(null);
  const [phase, setPhase] = useState<Phase>('idle');
  const [percent, setPercent] = useState(0);
  const [error, setError] = useState<unknown>(null);
  const [result, setResult] = useState<Record<string, unknown> | null>(null);

  const submit = async (event: Event) => {
    event.preventDefault();
    if (!file) {
      setError(new ApiError('import.noFile', 0));
      return;
    }
    setError(null);
    setResult(null);
    setPhase('uploading');
    try {
      const body = await upload(file, (p) => {
        setPercent(p);
        if (p >= 100) setPhase('processing');
      });
      setResult(body);
      setPhase('done');
    } catch (err) {
      setError(err);
      setPhase('idle');
    }
  };

  return (
    <section class="page" aria-labelledby="import-title">
      <h1 id="import-title">{t('import.title')}</h1>
      <form class="card form" onSubmit={submit}>
        <p>{t('import.intro')}</p>
        <label for="import-file">{t('import.file')}</label>
        <input
          id="import-file"
          type="file"
          accept=".html,.htm,text/html"
          onChange={(e) => setFile((e.target as HTMLInputElement).files?.[0] ?? null)}
        />
        <button type="submit" class="button button-primary" disabled={phase === 'uploading' || phase === 'processing'}>
          {t('import.submit')}
        </button>
        {(phase === 'uploading' || phase === 'processing') && (
          <div class="progress-line" role="status">
            <progress
              max={100}
              value={phase === 'processing' ? undefined : percent}
              aria-label={t(phase === 'uploading' ? 'import.uploading' : 'import.processing')}
            />
            <span>{t(phase === 'uploading' ? 'import.uploading' : 'import.processing')}</span>
          </div>
        )}
        {phase === 'done' && result && (
          <p role="status" class="success">
            {t('import.done')}{' '}
            {t('import.result', {
              imported: count(result.imported ?? result.created ?? result.items),
              skipped: count(result.skipped ?? result.duplicates) + count(result.invalid),
            })}
          </p>
        )}
        {error ? (
          <p class="field-error" role="alert">
            {error instanceof ApiError && error.code === 'import.noFile' ? (
              t('import.noFile')
            ) : (
              <ErrorText error={error} />
            )}
          </p>
        ) : null}
      </form>
      <div class="card form">
        <h2>{t('export.title')}</h2>
        <p>{t('export.intro')}</p>
        <a class="button" href="/v1/export" download>
          {t('export.download')}
        </a>
      </div>
    </section>
  );
}
