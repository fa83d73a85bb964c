/**
 * Sign in / create an account. The session is a cookie set by POST /v1/auth/session. The
 * sign-up form is offered only while GET /v1/auth/signup says it is open (DISABLE_SIGNUPS).
 */
import { useEffect, useState } from 'preact/hooks';
import { answer, signInApi, type User } from './api';
import { useI18n } from './i18n';
import { FieldError } from './ui';

export function AuthView({ onSignedIn }: { onSignedIn: (user: User) => void }) {
  const { t } = useI18n();
  const [mode, setMode] = useState<'signin' | 'signup'>('signin');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  // null until the server has said: neither the link nor the notice flashes.
  const [signupOpen, setSignupOpen] = useState<boolean | null>(null);

  useEffect(() => {
    answer(signInApi.GET('/v1/auth/signup')).then(
      (res) => setSignupOpen(res.open),
      () => setSignupOpen(false),
    );
  }, []);

  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      if (mode === 'signup') await answer(signInApi.POST('/v1/auth/signup', { body: { email, password } }));
      const res = await answer(signInApi.POST('/v1/auth/session', { body: { email, password } }));
      onSignedIn(res.user);
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  };

  return (
    <section class="auth card" aria-labelledby="auth-title">
      <h1 id="auth-title">{mode === 'signin' ? t('auth.signIn') : t('auth.signUp')}</h1>
      <p class="lead">{t('auth.intro')}</p>
      <form class="form" onSubmit={submit}>
        <label for="auth-email">{t('auth.email')}</label>
        <input
          id="auth-email"
          name="email"
          type="email"
          autocomplete="email"
          required
          value={email}
          onInput={(e) => setEmail((e.target as HTMLInputElement).value)}
        />
        <label for="auth-password">{t('auth.password')}</label>
        <input
          id="auth-password"
          name="password"
          type="password"
          autocomplete={mode === 'signin' ? 'current-password' : 'new-password'}
          required
          minLength={8}
          aria-describedby="auth-password-hint"
          value={password}
          onInput={(e) => setPassword((e.target as HTMLInputElement).value)}
        />
        <p id="auth-password-hint" class="hint">
          {t('auth.passwordHint')}
        </p>
        <FieldError error={error} />
        <button type="submit" class="button button-primary" disabled={busy}>
          {busy ? t('auth.working') : mode === 'signin' ? t('auth.signIn') : t('auth.signUp')}
        </button>
      </form>
      {signupOpen || mode === 'signup' ? (
        <button
          type="button"
          class="button-link"
          onClick={() => {
            setMode(mode === 'signin' ? 'signup' : 'signin');
            setError(null);
          }}
        >
          {mode === 'signin' ? t('auth.noAccount') : t('auth.haveAccount')}
        </button>
      ) : signupOpen === false ? (
        <p class="hint">{t('auth.signupClosed')}</p>
      ) : null}
    </section>
  );
}
