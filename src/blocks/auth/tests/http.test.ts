/**
 * The HTTP API through the real router and the real block, on SQLite and PostgreSQL:
 * registration, sign-in, rate limits, refresh rotation, logout, /me and bad input.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDatabase } from '../../../../test/support/databases.ts';
import { ADMIN, PASSWORD, authEnv, startHost, uniq, type Host } from './helpers.ts';

describeEachDatabase('auth HTTP API', (target) => {
  let h: Host;
  beforeAll(async () => {
    h = await startHost(authEnv(target));
  });
  afterAll(() => h?.app.close());

  it('registers a user as pending approval (201) with no secret in the answer', async () => {
    const name = uniq('Alice');
    const res = await h.post('/api/auth/register', {
      email: `${name}@Example.TEST`,
      username: name,
      password: PASSWORD,
      full_name: '  Alice Liddell ',
    });
    expect(res.statusCode).toBe(201);
    const user = res.json();
    expect(user).toMatchObject({
      email: `${name.toLowerCase()}@example.test`,
      username: name,
      full_name: 'Alice Liddell',
      role: 'user',
      status: 'pending_approval',
      approved_at: null,
    });
    expect(Object.keys(user).sort()).toEqual([
      'approved_at',
      'created_at',
      'email',
      'full_name',
      'id',
      'last_login_at',
      'role',
      'status',
      'status_reason',
      'username',
    ]);
  });

  it('refuses a duplicate email or username with 409, whatever the letter case', async () => {
    const u = await h.register();
    const byEmail = await h.post('/api/auth/register', {
      email: u.email.toUpperCase(),
      username: uniq('other'),
      password: PASSWORD,
    });
    expect(byEmail.statusCode).toBe(409);
    expect(byEmail.json().error.code).toBe('EMAIL_TAKEN');
    const byName = await h.post('/api/auth/register', {
      email: `${uniq('x')}@example.test`,
      username: u.username.toUpperCase(),
      password: PASSWORD,
    });
    expect(byName.statusCode).toBe(409);
    expect(byName.json().error.code).toBe('USERNAME_TAKEN');
  });

  it('refuses weak passwords with 400 naming each broken rule', async () => {
    const cases: Array<[string, string, string]> = [
      ['Sh0rt!', 'min_length', '8 characters'],
      ['lower-case-0nly', 'uppercase', 'upper-case'],
      ['UPPER-CASE-0NLY', 'lowercase', 'lower-case'],
      ['No-Digits-Here', 'digit', 'digit'],
      ['NoSpecial0nly', 'special', 'special'],
    ];
    for (const [password, rule, words] of cases) {
      const res = await h.post('/api/auth/register', {
        email: `${uniq('w')}@example.test`,
        username: uniq('w'),
        password,
      });
      expect(res.statusCode, password).toBe(400);
      expect(res.json().error.code).toBe('WEAK_PASSWORD');
      expect(res.json().error.details.rules).toEqual([rule]);
      expect(res.json().error.message).toContain(words);
    }
  });

  it('signs in an active user by username or email: token pair and user', async () => {
    const { user } = await h.activeUser();
    for (const login of [user.username.toUpperCase(), user.email.toUpperCase()]) {
      const res = await h.login(login, PASSWORD, '10.1.0.1');
      expect(res.statusCode).toBe(200);
      const body = res.json();
      expect(body).toMatchObject({
        token_type: 'Bearer',
        expires_in: 3600,
        user: { id: user.id, status: 'active' },
      });
      expect(body.access_token.split('.')).toHaveLength(3);
      expect(body.refresh_token.length).toBeGreaterThanOrEqual(40);
      expect(body.user.last_login_at).not.toBeNull();
    }
  });

  it('answers 401 the same way for an unknown user and a wrong password', async () => {
    const { user } = await h.activeUser();
    const unknown = await h.login('nobody-here', PASSWORD, '10.2.0.1');
    const wrong = await h.login(user.username, 'Wr0ng-pass!', '10.2.0.2');
    expect(unknown.statusCode).toBe(401);
    expect(wrong.statusCode).toBe(401);
    const strip = (b: { error: Record<string, unknown> }) => ({
      ...b.error,
      correlation_id: undefined,
    });
    expect(strip(unknown.json())).toEqual(strip(wrong.json()));
    expect(unknown.json().error.code).toBe('INVALID_CREDENTIALS');
  });

  it('refuses pending, rejected and suspended accounts with 403 and a code naming the status', async () => {
    const admin = await h.adminId();
    const client = h.app.orchestrator.client('admin');
    const pending = await h.register();
    const rejected = await h.register();
    await client.request('auth:v1', 'reject_user', {
      user_id: rejected.id,
      by: admin,
      reason: 'not invited',
    });
    const { user: suspended } = await h.activeUser();
    await client.request('auth:v1', 'suspend_user', {
      user_id: suspended.id,
      by: admin,
      reason: 'shared account',
    });
    for (const [u, code] of [
      [pending, 'ACCOUNT_PENDING_APPROVAL'],
      [rejected, 'ACCOUNT_REJECTED'],
      [suspended, 'ACCOUNT_SUSPENDED'],
    ] as const) {
      const res = await h.login(u.username, PASSWORD, '10.3.0.1');
      expect(res.statusCode).toBe(403);
      expect(res.json().error.code).toBe(code);
    }
    // The status is only told to someone who knows the password.
    expect((await h.login(pending.username, 'Wr0ng-pass!', '10.3.0.2')).statusCode).toBe(401);
  });

  it('limits failures per account (across addresses): 429 with Retry-After, even for the right password', async () => {
    const { user } = await h.activeUser();
    for (let i = 0; i < 5; i++)
      expect((await h.login(user.username, 'Wr0ng-pass!', `10.4.0.${i}`)).statusCode).toBe(401);
    const blocked = await h.login(user.email, PASSWORD, '10.4.1.1');
    expect(blocked.statusCode).toBe(429);
    expect(blocked.json().error.code).toBe('TOO_MANY_ATTEMPTS');
    const retryAfter = Number(blocked.headers['retry-after']);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
  });

  it('limits failures per client address (across accounts)', async () => {
    const ip = '10.5.0.1';
    for (let i = 0; i < 5; i++)
      expect((await h.login(uniq('ghost'), 'Wr0ng-pass!', ip)).statusCode).toBe(401);
    const { user } = await h.activeUser();
    const blocked = await h.login(user.username, PASSWORD, ip);
    expect(blocked.statusCode).toBe(429);
    expect(Number(blocked.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect((await h.login(user.username, PASSWORD, '10.5.0.2')).statusCode).toBe(200);
  });

  it('a successful sign-in clears the account’s earlier failures', async () => {
    const { user } = await h.activeUser();
    for (let i = 0; i < 4; i++) await h.login(user.username, 'Wr0ng-pass!', `10.6.0.${i}`);
    expect((await h.login(user.username, PASSWORD, '10.6.1.1')).statusCode).toBe(200);
    for (let i = 0; i < 4; i++)
      expect((await h.login(user.username, 'Wr0ng-pass!', `10.6.2.${i}`)).statusCode).toBe(401);
    expect((await h.login(user.username, PASSWORD, '10.6.3.1')).statusCode).toBe(200);
  });

  it('rotates refresh tokens: the old one is refused, and reusing it ends the session', async () => {
    const { access, refresh } = await h.activeUser();
    const first = await h.post('/api/auth/refresh', { refresh_token: refresh });
    expect(first.statusCode).toBe(200);
    const next = first.json();
    expect(next.refresh_token).not.toBe(refresh);
    expect((await h.get('/api/auth/me', next.access_token)).statusCode).toBe(200);
    const reused = await h.post('/api/auth/refresh', { refresh_token: refresh });
    expect(reused.statusCode).toBe(401);
    expect(reused.json().error.code).toBe('INVALID_REFRESH_TOKEN');
    // Theft assumed: the session is over for every token of it.
    expect(
      (await h.post('/api/auth/refresh', { refresh_token: next.refresh_token })).statusCode,
    ).toBe(401);
    expect((await h.get('/api/auth/me', access)).statusCode).toBe(401);
    expect((await h.post('/api/auth/refresh', { refresh_token: 'made-up' })).statusCode).toBe(401);
  });

  it('logout ends the session: the access token is refused by /me and by validate_token, and user_logout is published', async () => {
    const { user, access, refresh } = await h.activeUser();
    const events: unknown[] = [];
    const off = await h.app.orchestrator.subscribe('user_logout', (p) => void events.push(p));
    const me = await h.get('/api/auth/me', access);
    expect(me.statusCode).toBe(200);
    expect(me.json()).toMatchObject({ id: user.id, email: user.email });
    expect((await h.post('/api/auth/logout', undefined, { token: access })).statusCode).toBe(204);
    expect((await h.get('/api/auth/me', access)).statusCode).toBe(401);
    expect(
      await h.app.orchestrator
        .client('test')
        .request('auth:v1', 'validate_token', { token: access }),
    ).toBeNull();
    expect((await h.post('/api/auth/refresh', { refresh_token: refresh })).statusCode).toBe(401);
    await new Promise((r) => setTimeout(r, 10));
    expect(events).toEqual([{ user_id: user.id, session_id: expect.any(String) }]);
    await off();
  });

  it('/me and logout without a token: 401 UNAUTHORIZED', async () => {
    expect((await h.get('/api/auth/me')).json().error.code).toBe('UNAUTHORIZED');
    expect((await h.post('/api/auth/logout')).statusCode).toBe(401);
    expect((await h.get('/api/auth/me', 'not.a.jwt')).statusCode).toBe(401);
  });

  it('bad input gets a 4xx with a stable code, never a 500', async () => {
    const raw = (url: string, payload: string, type = 'application/json') =>
      h.app.http.inject({ method: 'POST', url, payload, headers: { 'content-type': type } });
    const expectCode = async (
      res: Promise<{ statusCode: number; json(): any }>,
      status: number,
      code: string,
    ) => {
      const r = await res;
      expect(r.statusCode).toBe(status);
      expect(r.json().error.code).toBe(code);
    };
    await expectCode(raw('/api/auth/register', '{"email": "a@b.test",'), 400, 'INVALID_JSON');
    await expectCode(
      raw('/api/auth/login', 'login=x&password=y', 'application/x-www-form-urlencoded'),
      415,
      'UNSUPPORTED_MEDIA_TYPE',
    );
    const ok = { email: `${uniq('b')}@example.test`, username: uniq('b'), password: PASSWORD };
    const bad: Array<Record<string, unknown>> = [
      {},
      { ...ok, email: 'not-an-email' },
      { ...ok, email: `${'a'.repeat(250)}@example.test` },
      { ...ok, username: 'ab' },
      { ...ok, username: 'x'.repeat(33) },
      { ...ok, username: "bob'; DROP TABLE users;--" },
      { ...ok, password: `${PASSWORD}${'x'.repeat(120)}` },
      { ...ok, password: 12345678 },
      { ...ok, full_name: 'n'.repeat(101) },
      { ...ok, email: ['a@b.test'] },
    ];
    for (const body of bad)
      await expectCode(h.post('/api/auth/register', body), 400, 'VALIDATION_FAILED');
    await expectCode(
      h.post('/api/auth/login', { login: 'x'.repeat(255), password: 'p' }),
      400,
      'VALIDATION_FAILED',
    );
    await expectCode(h.post('/api/auth/login', { login: 'x' }), 400, 'VALIDATION_FAILED');
    await expectCode(h.post('/api/auth/refresh', { refresh_token: 42 }), 400, 'VALIDATION_FAILED');
    await expectCode(
      h.post(
        '/api/auth/login',
        { login: "' OR '1'='1", password: "' OR '1'='1" },
        { ip: '10.7.0.1' },
      ),
      401,
      'INVALID_CREDENTIALS',
    );
  });

  it('stores SQL-looking text literally', async () => {
    const full = "Robert'); DROP TABLE users;--";
    const email = `${uniq('robert')}'--@example.test`;
    const u = await h.register({ full_name: full, email });
    expect(u).toMatchObject({ full_name: full, email });
    expect(
      await h.app.orchestrator.client('test').request('auth:v1', 'get_user', { user_id: u.id }),
    ).toMatchObject({ full_name: full, email });
    await h.app.orchestrator
      .client('admin')
      .request('auth:v1', 'approve_user', { user_id: u.id, by: await h.adminId() });
    expect((await h.login(email, PASSWORD, '10.7.1.1')).json().user.id).toBe(u.id);
  });

  it('never logs passwords, tokens or hashes', async () => {
    const secret = 'Very-s3cret-pw!';
    const u = await h.register({ password: secret });
    await h.app.orchestrator
      .client('admin')
      .request('auth:v1', 'approve_user', { user_id: u.id, by: await h.adminId() });
    const body = (await h.login(u.username, secret, '10.8.0.1')).json();
    const next = (await h.post('/api/auth/refresh', { refresh_token: body.refresh_token })).json();
    await h.post('/api/auth/logout', undefined, { token: next.access_token });
    await h.login(u.username, 'Wr0ng-pass!', '10.8.0.2');
    const log = JSON.stringify(h.lines);
    expect(log).toContain('user signed in');
    for (const s of [
      secret,
      'Wr0ng-pass!',
      ADMIN.password,
      body.access_token,
      body.refresh_token,
      next.access_token,
      next.refresh_token,
      '$2b$',
    ])
      expect(log).not.toContain(s);
  });
});
