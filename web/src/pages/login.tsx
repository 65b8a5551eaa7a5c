/** Sign in, and what a refused account is told (rejected, suspended, waiting). */
import { useEffect, useState } from 'preact/hooks';
import { api, ApiError, toTokens, type LoginResponse } from '../api.ts';
import { Notice } from '../components/ui.tsx';
import { useTitle } from '../hooks.ts';
import { Link, navigate, useLocation, withQuery } from '../router.tsx';
import { session, useSession } from '../session.ts';
import { capitalise } from '../format.ts';

/** Where to go after signing in: only a path inside the app. */
function safeNext(next: string | null): string {
  return next && next.startsWith('/') && !next.startsWith('//') && !next.startsWith('/login')
    ? next
    : '/';
}

interface AccountProblem {
  code: string;
  message: string;
}

export function LoginPage() {
  useTitle('Sign in');
  const loc = useLocation();
  const { user, notice } = useSession();
  const [login, setLogin] = useState(loc.query.get('login') ?? '');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const [account, setAccount] = useState<AccountProblem | null>(null);
  const next = safeNext(loc.query.get('next'));

  useEffect(() => {
    if (user) navigate(next, { replace: true });
  }, [user, next]);

  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    setAccount(null);
    try {
      const r = await api<LoginResponse>('/api/auth/login', {
        method: 'POST',
        body: { login: login.trim(), password },
        anonymous: true,
      });
      session.set(toTokens(r));
      navigate(next, { replace: true });
    } catch (err) {
      const ae = err instanceof ApiError ? err : new ApiError(0, 'CLIENT', String(err));
      if (ae.code === 'ACCOUNT_PENDING_APPROVAL')
        navigate(withQuery('/pending', { login: login.trim() }));
      else if (ae.code.startsWith('ACCOUNT_')) setAccount({ code: ae.code, message: ae.message });
      else setError(ae);
    } finally {
      setBusy(false);
    }
  };

  // A notice from being signed out (suspended mid-session, session ended).
  const shown = account ?? (notice && notice.code.startsWith('ACCOUNT_') ? notice : null);
  return (
    <div class="auth-page">
      <form
        class="auth-card"
        onSubmit={(e) => void submit(e)}
        data-testid="login-form"
        aria-describedby="login-errors"
      >
        <h1>Sign in</h1>
        <p class="muted">The WSOP and HCL broadcast archive, for invited members.</p>
        <div id="login-errors" aria-live="polite">
          {shown ? <AccountStatus problem={shown} /> : null}
          {!shown && notice ? <Notice kind="warn">{capitalise(notice.message)}</Notice> : null}
          {error ? (
            <Notice kind="error" testid="login-error">
              {error.code === 'INVALID_CREDENTIALS'
                ? 'That email/username and password do not match.'
                : capitalise(error.message)}
            </Notice>
          ) : null}
        </div>
        <label class="field">
          <span>Email or username</span>
          <input
            name="login"
            autoComplete="username"
            required
            value={login}
            onInput={(e) => setLogin(e.currentTarget.value)}
            data-testid="login-name"
          />
        </label>
        <label class="field">
          <span>Password</span>
          <input
            name="password"
            type="password"
            autoComplete="current-password"
            required
            value={password}
            onInput={(e) => setPassword(e.currentTarget.value)}
            data-testid="login-password"
          />
        </label>
        <button
          type="submit"
          class="btn btn-primary btn-block"
          disabled={busy}
          data-testid="login-submit"
        >
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
        <p class="muted small center">
          No account yet? <Link href="/register">Request access</Link>
        </p>
      </form>
    </div>
  );
}

/** Rejected or suspended: say so, with the administrator's reason when there is one. */
function AccountStatus({ problem }: { problem: AccountProblem }) {
  const title =
    problem.code === 'ACCOUNT_REJECTED'
      ? 'Your registration was declined'
      : problem.code === 'ACCOUNT_SUSPENDED'
        ? 'Your account is suspended'
        : problem.code === 'ACCOUNT_PENDING_APPROVAL'
          ? 'Waiting for approval'
          : 'Your account is not active';
  return (
    <Notice kind="error" title={title} testid="account-status">
      <p data-testid="account-status-message">{capitalise(problem.message)}</p>
      <p class="muted small">If you think this is a mistake, contact the WSOPTV team.</p>
    </Notice>
  );
}
