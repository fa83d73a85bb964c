/**
 * Every string the UI shows, in English and Chinese. The language is the user's choice
 * (kept in localStorage), defaulting to the browser's language.
 */
import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import { en, type MessageKey } from './messages-en';
import { zh } from './messages-zh';

export type { MessageKey };

export type Lang = 'en' | 'zh';
export const DICTIONARIES: Record<Lang, Record<MessageKey, string>> = { en, zh };
const STORAGE_KEY = 'linksnap.lang';

export function initialLang(): Lang {
  try {
    const stored = localStorage.getItem(STORAGE_KEY);
    if (stored === 'en' || stored === 'zh') return stored;
  } catch {
    // storage disabled: fall back to the browser's language
  }
  return navigator.language.toLowerCase().startsWith('zh') ? 'zh' : 'en';
}

export function persistLang(lang: Lang): void {
  try {
    localStorage.setItem(STORAGE_KEY, lang);
  } catch {
    // not persisted; still switched for this page
  }
  document.documentElement.lang = lang === 'zh' ? 'zh-CN' : 'en';
}

export type Translate = (key: MessageKey, vars?: Record<string, string | number>) => string;

export function translator(lang: Lang): Translate {
  const dict = DICTIONARIES[lang];
  return (key, vars) => {
    const text = dict[key] ?? en[key] ?? key;
    return vars ? text.replace(/\{(\w+)\}/g, (_, name: string) => String(vars[name] ?? '')) : text;
  };
}

export function isMessageKey(key: string): key is MessageKey {
  return key in en;
}

export interface I18n {
  lang: Lang;
  t: Translate;
  setLang: (lang: Lang) => void;
  formatDate: (iso: string | null | undefined) => string;
}

export const I18nContext = createContext<I18n>({
  lang: 'en',
  t: translator('en'),
  setLang: () => {},
  formatDate: (iso) => iso ?? '',
});

export const useI18n = (): I18n => useContext(I18nContext);
