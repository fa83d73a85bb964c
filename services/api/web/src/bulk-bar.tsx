/** Actions on the selected links: add a tag, capture again, delete (after confirmation). */
import { useState } from 'preact/hooks';
import { answer, api, type Tag } from './api';
import { useI18n } from './i18n';
import { TagInput } from './tag-input';
import { ConfirmDialog, FieldError } from './ui';

export function BulkBar(props: { ids: string[]; suggestions: Tag[]; onDone: () => void; onClear: () => void }) {
  const { t } = useI18n();
  const [tags, setTags] = useState<string[]>([]);
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const run = async (action: (id: string) => Promise<unknown>) => {
    setBusy(true);
    setError(null);
    const results = await Promise.allSettled(props.ids.map(action));
    setBusy(false);
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) setError(failed.reason);
    else props.onDone();
  };
  return (
    <section class="bulk card" aria-label={t('links.selected', { count: props.ids.length })}>
      <p class="bulk-count">{t('links.selected', { count: props.ids.length })}</p>
      <div class="bulk-tag">
        <TagInput label={t('links.bulkTag')} value={tags} onChange={setTags} suggestions={props.suggestions} />
        <button
          type="button"
          class="button"
          disabled={busy || tags.length === 0}
          onClick={() =>
            run((id) => answer(api.PATCH('/v1/links/{id}', { params: { path: { id } }, body: { addTags: tags } })))
          }
        >
          {t('links.bulkTagApply')}
        </button>
      </div>
      <div class="row">
        <button
          type="button"
          class="button"
          disabled={busy}
          onClick={() => run((id) => answer(api.POST('/v1/links/{id}/snapshots', { params: { path: { id } } })))}
        >
          {t('links.recapture')}
        </button>
        <button type="button" class="button button-danger" disabled={busy} onClick={() => setConfirming(true)}>
          {t('links.deleteSelected')}
        </button>
        <button type="button" class="button" onClick={props.onClear}>
          {t('common.cancel')}
        </button>
      </div>
      <FieldError error={error} />
      {confirming && (
        <ConfirmDialog
          message={t('links.deleteConfirm', { count: props.ids.length })}
          onCancel={() => setConfirming(false)}
          onConfirm={() => {
            setConfirming(false);
            run((id) => answer(api.DELETE('/v1/links/{id}', { params: { path: { id } } })));
          }}
        />
      )}
    </section>
  );
}
