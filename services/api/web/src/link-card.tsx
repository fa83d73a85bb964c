/** One link in link管理: thumbnail, title, domain, tags, date, snapshot state, inline edit. */
import { useState } from 'preact/hooks';
import { answer, api, type LinkItem, type Tag } from './api';
import { CaptureState } from './capture-state';
import { useI18n } from './i18n';
import { Link } from './router';
import { SearchSnippet } from './search-snippet';
import { TagInput } from './tag-input';
import { domainOf, FieldError } from './ui';
import { DeadBadge } from './versions-ui';

interface Props {
  link: LinkItem;
  selected: boolean;
  onSelect: (selected: boolean) => void;
  onChanged: (link: LinkItem) => void;
  onTagClick: (name: string) => void;
  suggestions: Tag[];
}

export function LinkCard({ link, selected, onSelect, onChanged, onTagClick, suggestions }: Props) {
  const { t, formatDate } = useI18n();
  const [editing, setEditing] = useState(false);
  // The title of the copy shown: an error page's title is not the page's.
  const title = link.title || link.lastGoodSnapshot?.title || link.url;
  return (
    <li class={selected ? 'link-card card selected' : 'link-card card'} data-link-id={link.id}>
      <div class="link-select">
        <input
          type="checkbox"
          id={`select-${link.id}`}
          checked={selected}
          onChange={(e) => onSelect((e.target as HTMLInputElement).checked)}
        />
        <label for={`select-${link.id}`} class="visually-hidden">
          {t('links.select', { title })}
        </label>
      </div>
      <Link href={`/links/${link.id}`} class="link-thumb" tabIndex={-1} aria-hidden="true">
        {link.thumbnailUrl ? (
          <img src={link.thumbnailUrl} alt={t('links.thumbAlt', { title })} loading="lazy" />
        ) : (
          <span class="thumb-placeholder">{t('links.noThumb')}</span>
        )}
      </Link>
      <div class="link-body">
        {editing ? (
          <EditLink
            link={link}
            suggestions={suggestions}
            onDone={(updated) => {
              setEditing(false);
              if (updated) onChanged(updated);
            }}
          />
        ) : (
          <>
            <h3 class="link-title">
              <Link href={`/links/${link.id}`}>{title}</Link>
            </h3>
            <p class="link-meta">
              <span class="domain">{domainOf(link.url)}</span>
              <span>{t('links.savedOn', { date: formatDate(link.createdAt) })}</span>
              <CaptureState latest={link.latestSnapshot} good={link.lastGoodSnapshot} />
              <DeadBadge deadAt={link.deadAt} />
            </p>
            {link.description && <p class="link-description">{link.description}</p>}
            {link.match?.snippet && (
              <SearchSnippet
                snippet={link.match.snippet}
                olderVersion={Boolean(link.match.snapshotId && link.match.snapshotId !== link.latestSnapshot?.id)}
              />
            )}
            {link.tags.length > 0 && (
              <ul class="chips" aria-label={t('tags.title')}>
                {link.tags.map((tag) => (
                  <li key={tag.id}>
                    <button type="button" class="chip chip-button" onClick={() => onTagClick(tag.name)}>
                      {tag.name}
                    </button>
                  </li>
                ))}
              </ul>
            )}
            <button type="button" class="button button-small" onClick={() => setEditing(true)}>
              {t('common.edit')}
            </button>
          </>
        )}
      </div>
    </li>
  );
}

function EditLink(props: { link: LinkItem; suggestions: Tag[]; onDone: (link: LinkItem | null) => void }) {
  const { t } = useI18n();
  const { link } = props;
  const [title, setTitle] = useState(link.title ?? '');
  const [description, setDescription] = useState(link.description ?? '');
  const [tags, setTags] = useState(link.tags.map((tag) => tag.name));
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const save = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    try {
      const body = { title: title.trim() || null, description: description.trim() || null, tags };
      const updated = await answer(api.PATCH('/v1/links/{id}', { params: { path: { id: link.id } }, body }));
      props.onDone({
        ...link,
        ...updated,
        thumbnailUrl: link.thumbnailUrl,
        latestSnapshot: link.latestSnapshot,
        lastGoodSnapshot: link.lastGoodSnapshot,
      });
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  };
  return (
    <form class="form edit-form" onSubmit={save}>
      <label for={`title-${link.id}`}>{t('links.editTitle')}</label>
      <input id={`title-${link.id}`} value={title} onInput={(e) => setTitle((e.target as HTMLInputElement).value)} />
      <label for={`desc-${link.id}`}>{t('links.editDescription')}</label>
      <textarea
        id={`desc-${link.id}`}
        rows={2}
        value={description}
        onInput={(e) => setDescription((e.target as HTMLTextAreaElement).value)}
      />
      <TagInput label={t('tags.title')} value={tags} onChange={setTags} suggestions={props.suggestions} />
      <FieldError error={error} />
      <div class="row">
        <button type="submit" class="button button-primary" disabled={busy}>
          {t('common.save')}
        </button>
        <button type="button" class="button" onClick={() => props.onDone(null)}>
          {t('common.cancel')}
        </button>
      </div>
    </form>
  );
}
