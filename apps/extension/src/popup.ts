/**
 * The toolbar popup: sign in with the instance's URL and an API key; then pick tags and
 * "Save link" (server capture) or "Save page as I see it" (uploaded capture), follow the
 * capture's progress from the job's event stream and open the snapshot when it is done.
 * Opened as a tab with `?tab=<id>` it acts on that tab instead of the active one.
 */
import {
  ApiError,
  linkPage,
  listTags,
  loadSettings,
  normalizeInstance,
  type Settings,
  saveSettings,
  watchJob,
} from './api';
import { type SaveMode, save } from './save';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const t = (key: string, ...subs: string[]) => chrome.i18n.getMessage(key, subs) || key;

function localize(): void {
  document.documentElement.lang = chrome.i18n.getUILanguage();
  for (const el of document.querySelectorAll<HTMLElement>('[data-i18n]')) el.textContent = t(el.dataset.i18n ?? '');
  for (const el of document.querySelectorAll<HTMLInputElement>('[data-i18n-placeholder]')) {
    el.placeholder = t(el.dataset.i18nPlaceholder ?? '');
  }
}

function showError(err: unknown): void {
  if (err instanceof ApiError && err.unauthenticated) $('error').textContent = t('keyRefused');
  else $('error').textContent = err instanceof Error ? err.message : String(err);
}

async function targetTab(): Promise<chrome.tabs.Tab | undefined> {
  const param = new URLSearchParams(location.search).get('tab');
  if (param) return chrome.tabs.get(Number(param));
  const [tab] = await chrome.tabs.query({ active: true, currentWindow: true });
  return tab;
}

function chosenTags(): string[] {
  const picked = [...document.querySelectorAll<HTMLInputElement>('#tag-list input:checked')].map((i) => i.value);
  const typed = $<HTMLInputElement>('new-tags').value.split(',');
  return [...new Set([...picked, ...typed].map((s) => s.trim()).filter(Boolean))];
}

async function showTags(settings: Settings): Promise<void> {
  const list = $('tag-list');
  list.replaceChildren();
  for (const tag of await listTags(settings)) {
    const label = document.createElement('label');
    const box = document.createElement('input');
    box.type = 'checkbox';
    box.value = tag.name;
    label.append(box, tag.name);
    list.append(label);
  }
}

async function run(settings: Settings, mode: SaveMode, tab: chrome.tabs.Tab): Promise<void> {
  const buttons = [$<HTMLButtonElement>('save-link'), $<HTMLButtonElement>('save-page')];
  for (const b of buttons) b.disabled = true;
  $('error').textContent = '';
  const progress = $<HTMLProgressElement>('progress');
  progress.hidden = false;
  progress.value = 0;
  $('stage').textContent = t(mode === 'page' ? 'serializing' : 'sending');
  try {
    const created = await save(settings, mode, { url: tab.url ?? '', tabId: tab.id }, chosenTags());
    $('stage').textContent = t('queued');
    const final = await watchJob(settings, created.snapshot.id, (event) => {
      if (event.percent !== undefined) progress.value = event.percent;
      if (event.stage) $('stage').textContent = t('stage', event.stage);
    });
    progress.value = 100;
    const ok = final.state === 'succeeded' || final.state === 'partial';
    $('stage').textContent = t(ok ? 'saved' : 'failed', final.error?.title ?? '');
    const done = $<HTMLAnchorElement>('done');
    done.href = linkPage(settings, created.link.id);
    done.hidden = false;
  } catch (err) {
    progress.hidden = true;
    $('stage').textContent = '';
    showError(err);
  } finally {
    for (const b of buttons) b.disabled = false;
  }
}

async function showMain(settings: Settings): Promise<void> {
  $('signin').hidden = true;
  $('main').hidden = false;
  $('who').textContent = new URL(settings.instance).host;
  const tab = await targetTab();
  $('target').textContent = tab?.title || tab?.url || '';
  $('save-link').onclick = () => tab && run(settings, 'link', tab);
  $('save-page').onclick = () => tab && run(settings, 'page', tab);
  try {
    await showTags(settings);
  } catch (err) {
    showError(err);
  }
}

function showSignIn(): void {
  $('main').hidden = true;
  $('signin').hidden = false;
  $<HTMLFormElement>('signin').onsubmit = async (event) => {
    event.preventDefault();
    $('error').textContent = '';
    try {
      const settings = {
        instance: normalizeInstance($<HTMLInputElement>('instance').value),
        apiKey: $<HTMLInputElement>('apikey').value.trim(),
      };
      await listTags(settings); // the key works (401 otherwise)
      await saveSettings(settings);
      await showMain(settings);
    } catch (err) {
      showError(err);
    }
  };
}

async function start(): Promise<void> {
  localize();
  $('signout').onclick = async () => {
    await saveSettings(null);
    showSignIn();
  };
  const settings = await loadSettings();
  if (settings) await showMain(settings);
  else showSignIn();
}

void start();
