/**
 * API keys on the settings page: the browser extension (and scripts) sign in with one. A new
 * key is shown once, right after it is made; the list shows names and last use; revoking a key
 * signs out whatever uses it (the extension then says its key was refused).
 */
import type { ResponseBody } from '@linksnap/api-client';
import { useEffect, useState } from 'preact/hooks';
import { answer, api } from './api';
import { useI18n } from './i18n';
import { ErrorText } from './ui';

type ApiKey = ResponseBody<'listApiKeys'>['items'][number];

export function ApiKeysCard() {
  const { t, formatDate } = useI18n();
  const [keys, setKeys] = useState<ApiKey[]>([]);
  const [name, setName] = useState('');
  const [shown, setShown] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const reload = () =>
    answer(api.GET('/v1/api-keys'))
      .then((res) => setKeys(res.items))
      .catch(setError);
  useEffect(() => {
    void reload();
  }, []);

  const create = async (event: Event) => {
    event.preventDefault();
    setError(null);
    try {
      const made = await answer(
        api.POST('/v1/api-keys', { body: { name: name.trim() || t('settings.keyDefaultName') } }),
      );
      setShown(made.key);
      setName('');
      await reload();
    } catch (err) {
      setError(err);
    }
  };
  const revoke = async (id: string) => {
    setError(null);
    await answer(api.DELETE('/v1/api-keys/{id}', { params: { path: { id } } })).catch(setError);
    await reload();
  };

  return (
    <div class="card">
      <h2>{t('settings.keys')}</h2>
      <p>{t('settings.keysIntro')}</p>
      <form class="form" onSubmit={create}>
        <label for="key-name">{t('settings.keyName')}</label>
        <input id="key-name" value={name} onInput={(e) => setName((e.target as HTMLInputElement).value)} />
        <button type="submit" class="button button-primary">
          {t('settings.keyCreate')}
        </button>
      </form>
      {shown && (
        <p class="api-key-shown">
          {t('settings.keyShownOnce')} <code>{shown}</code>
        </p>
      )}
      {error ? (
        <p class="field-error">
          <ErrorText error={error} />
        </p>
      ) : null}
      <ul class="api-keys">
        {keys.map((key) => (
          <li key={key.id}>
            <strong>{key.name}</strong> · {formatDate(key.createdAt)}
            {key.lastUsedAt ? ` · ${t('settings.keyLastUsed', { date: formatDate(key.lastUsedAt) })}` : ''}{' '}
            <button type="button" class="button button-danger" onClick={() => revoke(key.id)}>
              {t('settings.keyRevoke')}
            </button>
          </li>
        ))}
      </ul>
    </div>
  );
}
