/** Shared pieces: loading, empty and error states, plain-word errors, confirm dialog, state badge. */
import type { ComponentChildren } from 'preact';
import { useEffect, useRef } from 'preact/hooks';
import { ApiError } from './api';
import { isMessageKey, type MessageKey, useI18n } from './i18n';
import { Link } from './router';

export function Loading() {
  const { t } = useI18n();
  return (
    <p class="state state-loading" role="status">
      {t('common.loading')}
    </p>
  );
}

export function Empty({ children }: { children: ComponentChildren }) {
  return <p class="state state-empty">{children}</p>;
}

/** Plain words for an error, from the catalog code; never a raw code or stack. */
export function ErrorText({ error }: { error: unknown }) {
  const { t } = useI18n();
  const code = error instanceof ApiError ? error.code : '';
  const key = `err.${code}`;
  if (code === 'LINK_ALREADY_EXISTS' && error instanceof ApiError && typeof error.extra.linkId === 'string') {
    return (
      <span>
        {t('err.LINK_ALREADY_EXISTS')}{' '}
        <Link href={`/links/${error.extra.linkId}`}>{t('err.LINK_ALREADY_EXISTS.open')}</Link>
      </span>
    );
  }
  // A route this server does not have yet (another part of the platform still being built).
  if (code === 'NOT_FOUND' && error instanceof ApiError && String(error.extra.detail ?? '').startsWith('No route')) {
    return <span>{t('err.unavailable')}</span>;
  }
  return <span>{t(isMessageKey(key) ? (key as MessageKey) : 'err.generic')}</span>;
}

/** A form's or action's error, announced; nothing when there is none. */
export function FieldError({ error }: { error: unknown }) {
  if (!error) return null;
  return (
    <p class="field-error" role="alert">
      <ErrorText error={error} />
    </p>
  );
}

export function ErrorState({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  const { t } = useI18n();
  return (
    <div class="state state-error" role="alert">
      <ErrorText error={error} />
      {onRetry && (
        <button type="button" class="button" onClick={onRetry}>
          {t('common.retry')}
        </button>
      )}
    </div>
  );
}

export function StateBadge({ state }: { state: string | null | undefined }) {
  const { t } = useI18n();
  const key = `state.${state ?? 'none'}`;
  const label = t(isMessageKey(key) ? (key as MessageKey) : 'state.none');
  return (
    <span class={`badge badge-${state ?? 'none'}`} data-state={state ?? 'none'}>
      {t('state.label', { state: label })}
    </span>
  );
}

/** A modal confirmation on the native <dialog>: focus is trapped and Escape cancels. */
export function ConfirmDialog(props: { message: string; onConfirm: () => void; onCancel: () => void }) {
  const { t } = useI18n();
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const dialog = ref.current;
    if (dialog && !dialog.open) dialog.showModal();
    return () => dialog?.close();
  }, []);
  return (
    <dialog ref={ref} class="dialog" onCancel={props.onCancel} aria-labelledby="confirm-message">
      <p id="confirm-message">{props.message}</p>
      <div class="row">
        <button type="button" class="button" onClick={props.onCancel}>
          {t('common.cancel')}
        </button>
        <button type="button" class="button button-danger" data-confirm onClick={props.onConfirm}>
          {t('common.confirm')}
        </button>
      </div>
    </dialog>
  );
}

export function domainOf(url: string): string {
  try {
    return new URL(url).hostname;
  } catch {
    return url;
  }
}
