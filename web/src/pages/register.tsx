/** Request access (register), and the "waiting for approval" page. */
import { useEffect, useState } from 'preact/hooks';
import { api, ApiError, type User } from '../api.ts';
import { Notice } from '../components/ui.tsx';
import { useTitle } from '../hooks.ts';
import { Link, navigate, useLocation, withQuery } from '../router.tsx';
import { useSession } from '../session.ts';
import { capitalise } from '../format.ts';

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
