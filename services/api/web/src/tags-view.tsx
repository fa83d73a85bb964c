/** Tag management: rename (offering a merge when the name exists), merge into another, delete. */
import { useState } from 'preact/hooks';
import { ApiError, answer, api, type Tag } from './api';
import { useI18n } from './i18n';
import { useTags } from './tags-store';
import { ConfirmDialog, Empty, ErrorState, FieldError, Loading } from './ui';
import { ScheduleControl } from './versions-ui';

interface Pending {
  message: string;
  action: () => Promise<unknown>;
}

export function TagsView() {
  const { t } = useI18n();
  const { tags, loading, error, reload } = useTags();
  const [pending, setPending] = useState<Pending | null>(null);
  const [actionError, setActionError] = useState<unknown>(null);

  const run = async (action: () => Promise<unknown>) => {
    setActionError(null);
    try {
      await action();
    } catch (err) {
      setActionError(err);
    }
    reload();
  };

  return (
    <section class="page" aria-labelledby="tags-title">
      <h1 id="tags-title">{t('tags.title')}</h1>
      <FieldError error={actionError} />
      {loading && tags.length === 0 ? (
        <Loading />
      ) : error ? (
        <ErrorState error={error} onRetry={reload} />
      ) : tags.length === 0 ? (
        <Empty>{t('tags.empty')}</Empty>
      ) : (
        <ul class="tag-rows">
          {tags.map((tag) => (
            <TagRow
              key={tag.id}
              tag={tag}
              others={tags.filter((o) => o.id !== tag.id)}
              onRename={(name) =>
                run(async () => {
                  try {
                    await answer(api.PATCH('/v1/tags/{id}', { params: { path: { id: tag.id } }, body: { name } }));
                  } catch (err) {
                    if (err instanceof ApiError && err.code === 'TAG_ALREADY_EXISTS') {
                      setPending({
                        message: t('tags.mergeInsteadConfirm', { name }),
                        action: () =>
                          answer(
                            api.PATCH('/v1/tags/{id}', {
                              params: { path: { id: tag.id } },
                              body: { name, merge: true },
                            }),
                          ),
                      });
                      return;
                    }
                    throw err;
                  }
                })
              }
              onMerge={(into) =>
                setPending({
                  message: t('tags.mergeConfirm', { from: tag.name, into: into.name }),
                  action: () =>
                    answer(
                      api.POST('/v1/tags/{id}/merge', { params: { path: { id: tag.id } }, body: { into: into.id } }),
                    ),
                })
              }
              onScheduled={reload}
              onDelete={() =>
                setPending({
                  message: t('tags.deleteConfirm', { name: tag.name }),
                  action: () => answer(api.DELETE('/v1/tags/{id}', { params: { path: { id: tag.id } } })),
                })
              }
            />
          ))}
        </ul>
      )}
      {pending && (
        <ConfirmDialog
          message={pending.message}
          onCancel={() => setPending(null)}
          onConfirm={() => {
            setPending(null);
            run(pending.action);
          }}
        />
      )}
    </section>
  );
}

function TagRow(props: {
  tag: Tag;
  others: Tag[];
  onRename: (name: string) => void;
  onMerge: (into: Tag) => void;
  onDelete: () => void;
  onScheduled: () => void;
}) {
  const { t } = useI18n();
  const { tag } = props;
  const [editing, setEditing] = useState(false);
  const [name, setName] = useState(tag.name);
  return (
    <li class="tag-row card">
      {editing ? (
        <form
          class="row"
          onSubmit={(e) => {
            e.preventDefault();
            setEditing(false);
            if (name.trim() && name.trim() !== tag.name) props.onRename(name.trim());
          }}
        >
          <label for={`rename-${tag.id}`} class="visually-hidden">
            {t('tags.newName', { name: tag.name })}
          </label>
          <input id={`rename-${tag.id}`} value={name} onInput={(e) => setName((e.target as HTMLInputElement).value)} />
          <button type="submit" class="button button-primary">
            {t('common.save')}
          </button>
          <button type="button" class="button" onClick={() => setEditing(false)}>
            {t('common.cancel')}
          </button>
        </form>
      ) : (
        <p class="tag-name">
          <strong>{tag.name}</strong> <span class="count">{t('tags.count', { count: tag.linkCount ?? 0 })}</span>
        </p>
      )}
      <ScheduleControl
        key={tag.schedule ?? ''}
        target="tags"
        id={tag.id}
        every={tag.schedule ?? null}
        onSaved={props.onScheduled}
      />
      <div class="row">
        {!editing && (
          <button type="button" class="button button-small" onClick={() => setEditing(true)}>
            {t('tags.rename')}
          </button>
        )}
        {props.others.length > 0 && (
          <>
            <label for={`merge-${tag.id}`} class="visually-hidden">
              {t('tags.mergeInto', { name: tag.name })}
            </label>
            <select
              id={`merge-${tag.id}`}
              value=""
              onChange={(e) => {
                const into = props.others.find((o) => o.id === (e.target as HTMLSelectElement).value);
                (e.target as HTMLSelectElement).value = '';
                if (into) props.onMerge(into);
              }}
            >
              <option value="">{t('tags.merge')}</option>
              {props.others.map((o) => (
                <option key={o.id} value={o.id}>
                  {o.name}
                </option>
              ))}
            </select>
          </>
        )}
        <button type="button" class="button button-small button-danger" onClick={props.onDelete}>
          {t('common.delete')}
        </button>
      </div>
    </li>
  );
}
