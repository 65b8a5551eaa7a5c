/** Sign in, request access (register), and the "waiting for approval" page. */
import { useEffect, useState } from 'preact/hooks';
import { api, ApiError, toTokens, type LoginResponse, type User } from '../api.ts';
import { Notice } from '../components/ui.tsx';
import { useTitle } from '../hooks.ts';
import { Link, navigate, useLocation, withQuery } from '../router.tsx';
import { session, useSession } from '../session.ts';

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

const RULES =
  'At least 8 characters with an upper-case and a lower-case letter, a digit and a symbol.';

export function RegisterPage() {
  useTitle('Request access');
  const { user } = useSession();
  const [form, setForm] = useState({
    email: '',
    username: '',
    full_name: '',
    password: '',
    confirm: '',
  });
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const [mismatch, setMismatch] = useState(false);

  useEffect(() => {
    if (user) navigate('/', { replace: true });
  }, [user]);

  const field = (name: keyof typeof form) => ({
    name,
    value: form[name],
    onInput: (e: Event) =>
      setForm((f) => ({ ...f, [name]: (e.currentTarget as HTMLInputElement).value })),
    'data-testid': `register-${name.replace('_', '-')}`,
  });

  const submit = async (e: Event) => {
    e.preventDefault();
    setError(null);
    if (form.password !== form.confirm) {
      setMismatch(true);
      return;
    }
    setMismatch(false);
    setBusy(true);
    try {
      const u = await api<User>('/api/auth/register', {
        method: 'POST',
        anonymous: true,
        body: {
          email: form.email.trim(),
          username: form.username.trim(),
          password: form.password,
          ...(form.full_name.trim() ? { full_name: form.full_name.trim() } : {}),
        },
      });
      navigate(withQuery('/pending', { login: u?.username ?? form.username.trim(), new: 1 }));
    } catch (err) {
      setError(err instanceof ApiError ? err : new ApiError(0, 'CLIENT', String(err)));
    } finally {
      setBusy(false);
    }
  };

  return (
    <div class="auth-page">
      <form class="auth-card" onSubmit={(e) => void submit(e)} data-testid="register-form">
        <h1>Request access</h1>
        <p class="muted">WSOPTV is invitation-only. An administrator reviews every request.</p>
        {error ? (
          <Notice kind="error" testid="register-error">
            {capitalise(error.message)}
          </Notice>
        ) : null}
        <label class="field">
          <span>Email</span>
          <input type="email" autoComplete="email" required maxLength={254} {...field('email')} />
        </label>
        <label class="field">
          <span>Username</span>
          <input
            autoComplete="username"
            required
            minLength={3}
            maxLength={32}
            pattern="[A-Za-z0-9_.\-]+"
            title="3–32 letters, digits, _ . or -"
            {...field('username')}
          />
        </label>
        <label class="field">
          <span>
            Full name <span class="muted">(optional)</span>
          </span>
          <input autoComplete="name" maxLength={100} {...field('full_name')} />
        </label>
        <label class="field">
          <span>Password</span>
          <input
            type="password"
            autoComplete="new-password"
            required
            minLength={8}
            maxLength={128}
            aria-describedby="pw-rules"
            {...field('password')}
          />
          <small id="pw-rules" class="muted">
            {RULES}
          </small>
        </label>
        <label class="field">
          <span>Repeat password</span>
          <input
            type="password"
            autoComplete="new-password"
            required
            maxLength={128}
            aria-invalid={mismatch}
            {...field('confirm')}
          />
          {mismatch ? <small class="field-error">The two passwords differ.</small> : null}
        </label>
        <button
          type="submit"
          class="btn btn-primary btn-block"
          disabled={busy}
          data-testid="register-submit"
        >
          {busy ? 'Sending…' : 'Request access'}
        </button>
        <p class="muted small center">
          Already approved? <Link href="/login">Sign in</Link>
        </p>
      </form>
    </div>
  );
}

export function PendingPage() {
  useTitle('Waiting for approval');
  const loc = useLocation();
  const who = loc.query.get('login');
  const fresh = loc.query.get('new') === '1';
  return (
    <div class="auth-page">
      <div class="auth-card center" data-testid="pending-page">
        <div class="pending-chip" aria-hidden="true">
          ♠
        </div>
        <h1>{fresh ? 'Thanks — your request is in' : 'Waiting for approval'}</h1>
        <p>
          {who ? (
            <>
              The account <strong data-testid="pending-username">{who}</strong> is waiting for an
              administrator to approve it.
            </>
          ) : (
            'Your account is waiting for an administrator to approve it.'
          )}
        </p>
        <p class="muted">
          You can sign in as soon as it has been approved. There is nothing else you need to do.
        </p>
        <Link
          href={withQuery('/login', { login: who })}
          class="btn btn-ghost"
          data-testid="pending-login"
        >
          Back to sign in
        </Link>
      </div>
    </div>
  );
}

export function capitalise(s: string): string {
  return s ? s[0].toUpperCase() + s.slice(1) : s;
}
