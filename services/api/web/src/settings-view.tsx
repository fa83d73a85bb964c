/**
 * 设置 / Settings: the bookmarklet (saves the current page's URL into this instance: it opens
 * 添加链接 with the address filled in), and where the browser extension and the installable
 * app come from.
 */
import { useEffect, useRef } from 'preact/hooks';
import { ApiKeysCard } from './api-keys-card';
import { useI18n } from './i18n';

/** The bookmarklet's code: open this instance's 添加链接 with the current page's address. */
export function bookmarkletCode(origin: string): string {
  const add = JSON.stringify(`${origin}/add?url=`);
  return `javascript:(()=>{window.open(${add}+encodeURIComponent(location.href),'_blank')})()`;
}

export function SettingsView() {
  const { t } = useI18n();
  const anchor = useRef<HTMLAnchorElement>(null);
  // Set outside JSX: a javascript: URL is this link's whole point, to be dragged, not clicked here.
  useEffect(() => {
    anchor.current?.setAttribute('href', bookmarkletCode(location.origin));
  }, []);
  return (
    <section aria-labelledby="settings-title" class="page">
      <h1 id="settings-title">{t('settings.title')}</h1>
      <div class="card">
        <h2>{t('settings.bookmarklet')}</h2>
        <p>{t('settings.bookmarkletIntro')}</p>
        <p>
          <a ref={anchor} class="button button-primary bookmarklet" href="#bookmarklet" draggable>
            {t('settings.bookmarkletLabel')}
          </a>
        </p>
      </div>
      <ApiKeysCard />
      <div class="card">
        <h2>{t('settings.extension')}</h2>
        <p>{t('settings.extensionIntro')}</p>
      </div>
      <div class="card">
        <h2>{t('settings.app')}</h2>
        <p>{t('settings.appIntro')}</p>
      </div>
    </section>
  );
}
