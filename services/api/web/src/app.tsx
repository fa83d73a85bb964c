/** The shell: session check, header with navigation and language switch, and the routes. */
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { AddView } from './add-view';
import { answer, setUnauthenticatedHandler, signInApi, type User } from './api';
import { AuthView } from './auth-view';
import { type I18n, I18nContext, initialLang, type Lang, persistLang, translator } from './i18n';
import { ImportView } from './import-view';
import { LinksView } from './links-view';
import { ReplayView } from './replay-frame';
import { Link, navigate, usePath } from './router';
import { SettingsView } from './settings-view';
import { TagsView } from './tags-view';
import { ErrorState, Loading } from './ui';
import { ViewerView } from './viewer-view';

function Routes({ path }: { path: string }) {
  const replay = /^\/snapshots\/([^/]+)\/replay$/.exec(path);
  if (replay?.[1]) return <ReplayView snapshotId={decodeURIComponent(replay[1])} />;
  const viewer = /^\/links\/([^/]+)$/.exec(path);
  if (viewer?.[1]) return <ViewerView id={decodeURIComponent(viewer[1])} />;
  if (path === '/links') return <LinksView />;
  if (path === '/tags') return <TagsView />;
  if (path === '/import') return <ImportView />;
  if (path === '/settings') return <SettingsView />;
  return <AddView />;
}

export function App() {
  const [lang, setLangState] = useState<Lang>(initialLang);
  const [user, setUser] = useState<User | null | undefined>(undefined);
  const [bootError, setBootError] = useState<unknown>(null);
  const path = usePath();

  const i18n = useMemo<I18n>(() => {
    const dateFormat = new Intl.DateTimeFormat(lang === 'zh' ? 'zh-CN' : 'en', {
      dateStyle: 'medium',
      timeStyle: 'short',
    });
    return {
      lang,
      t: translator(lang),
      setLang: (next) => {
        persistLang(next);
        setLangState(next);
      },
      formatDate: (iso) => (iso ? dateFormat.format(new Date(iso)) : ''),
    };
  }, [lang]);
  const { t } = i18n;

  const checkSession = () => {
    setBootError(null);
    answer(signInApi.GET('/v1/auth/me'))
      .then((res) => setUser(res.user))
      .catch((err) => {
        if ((err as { status?: number }).status === 401) setUser(null);
        else setBootError(err);
      });
  };
  useEffect(() => {
    persistLang(lang);
    setUnauthenticatedHandler(() => setUser(null));
    checkSession();
  }, []);
  useEffect(() => {
    document.title = t('app.name');
  }, [t]);
  // After an in-app navigation, move focus to the new screen for keyboard and screen-reader users.
  const firstPath = useRef(path);
  useEffect(() => {
    if (path !== firstPath.current) document.getElementById('main')?.focus();
    firstPath.current = '';
  }, [path]);

  const signOut = async () => {
    await answer(signInApi.DELETE('/v1/auth/session')).catch(() => {});
    setUser(null);
    navigate('/');
  };
  const nav: [string, string][] = [
    ['/', t('nav.add')],
    ['/links', t('nav.links')],
    ['/tags', t('nav.tags')],
    ['/import', t('nav.import')],
    ['/settings', t('nav.settings')],
  ];
  const active = (href: string) => (href === '/' ? path === '/' || path === '/add' : path.startsWith(href));

  return (
    <I18nContext.Provider value={i18n}>
      <a class="skip-link" href="#main">
        {t('app.skip')}
      </a>
      <header class="topbar">
        <Link href="/" class="brand">
          {t('app.name')}
        </Link>
        {user && (
          <nav aria-label={t('nav.main')} class="nav">
            <ul>
              {nav.map(([href, label]) => (
                <li key={href}>
                  <Link href={href} aria-current={active(href) ? 'page' : undefined}>
                    {label}
                  </Link>
                </li>
              ))}
            </ul>
          </nav>
        )}
        <div class="topbar-actions">
          <button
            type="button"
            class="button button-small"
            lang={lang === 'en' ? 'zh-CN' : 'en'}
            aria-label={`${t('lang.label')}: ${t('lang.switchTo')}`}
            data-testid="lang-switch"
            onClick={() => i18n.setLang(lang === 'en' ? 'zh' : 'en')}
          >
            {t('lang.switchTo')}
          </button>
          {user && (
            <>
              <span class="user" title={t('auth.signedInAs', { email: user.email })}>
                {user.email}
              </span>
              <button type="button" class="button button-small" onClick={signOut}>
                {t('auth.signOut')}
              </button>
            </>
          )}
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        {bootError ? (
          <ErrorState error={bootError} onRetry={checkSession} />
        ) : user === undefined ? (
          <Loading />
        ) : user === null ? (
          <AuthView onSignedIn={setUser} />
        ) : (
          <Routes path={path} />
        )}
      </main>
    </I18nContext.Provider>
  );
}
