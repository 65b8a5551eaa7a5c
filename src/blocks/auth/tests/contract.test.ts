/**
 * The auth:v1 contract as other blocks use it, on SQLite and PostgreSQL: token validation
 * (including tampered and expired tokens), users, permissions, sessions and the admin actions
 * with their events.
 */
import { SignJWT } from 'jose';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { BlockClient } from '../../../orchestration/index.ts';
import { describeEachDatabase } from '../../../../test/support/databases.ts';
import { waitFor } from '../../../../test/support/wait.ts';
import { PASSWORD, authEnv, startHost, type Host } from './helpers.ts';

const SECRET = 'a-configured-secret-of-at-least-32-characters';

describeEachDatabase('auth:v1 contract', (target) => {
  let h: Host;
  let client: BlockClient;
  let admin: string;
  beforeAll(async () => {
    h = await startHost(authEnv(target, { WSOPTV_JWT_SECRET: SECRET }));
    client = h.app.orchestrator.client('admin');
    admin = await h.adminId();
  });
  afterAll(() => h?.app.close());

  const events = async (
    name: 'user_approved' | 'user_rejected' | 'user_suspended' | 'user_registered' | 'user_login',
  ) => {
    const got: Array<Record<string, unknown>> = [];
    const off = await h.app.orchestrator.subscribe(name, (p) => void got.push(p));
    return { got, off };
  };

  it('validate_token: the user, session and access expiry for a live token', async () => {
    const { user, access } = await h.activeUser();
    const answer = await client.request('auth:v1', 'validate_token', { token: access });
    expect(answer?.user).toMatchObject({ id: user.id, status: 'active', role: 'user' });
    const [session] = await client.request('auth:v1', 'get_active_sessions', { user_id: user.id });
    expect(answer?.session_id).toBe(session.session_id);
    const left = Date.parse(answer!.expires_at) - Date.now();
    expect(left).toBeGreaterThan(3500_000);
    expect(left).toBeLessThanOrEqual(3600_000);
  });

  it('validate_token: null for tampered, foreign, expired, wrong-type or garbage tokens', async () => {
    const { user, access } = await h.activeUser();
    const { session_id: sid } = (await client.request('auth:v1', 'validate_token', {
      token: access,
    }))!;
    const [head, body, sig] = access.split('.');
    const claims = JSON.parse(Buffer.from(body, 'base64url').toString());
    const forged = Buffer.from(JSON.stringify({ ...claims, role: 'admin' })).toString('base64url');
    const sign = (payload: Record<string, unknown>, exp: number, key = SECRET) =>
      new SignJWT(payload)
        .setProtectedHeader({ alg: 'HS256' })
        .setSubject(user.id)
        .setIssuer('wsoptv-auth')
        .setExpirationTime(exp)
        .sign(new TextEncoder().encode(key));
    const now = Math.floor(Date.now() / 1000);
    // Control: a token we sign ourselves with the same claims is accepted, so the nulls below are
    // about what changed.
    expect(
      await client.request('auth:v1', 'validate_token', {
        token: await sign({ sid, role: 'user', typ: 'access' }, now + 60),
      }),
    ).not.toBeNull();
    const bad = [
      `${head}.${forged}.${sig}`,
      `${head}.${body}.${sig.slice(0, -2)}${sig.endsWith('AA') ? 'BB' : 'AA'}`,
      await sign({ sid, role: 'user', typ: 'access' }, now - 5),
      await sign(
        { sid, role: 'user', typ: 'access' },
        now + 60,
        'another-secret-of-at-least-32-characters!',
      ),
      await sign({ sid, role: 'user', typ: 'refresh' }, now + 60),
      await sign({ sid: 'no-such-session', role: 'user', typ: 'access' }, now + 60),
      `${Buffer.from('{"alg":"none"}').toString('base64url')}.${body}.`,
      'garbage',
    ];
    for (const token of bad)
      expect(await client.request('auth:v1', 'validate_token', { token }), token).toBeNull();
  });

  it('get_user and list_users (by status, paged)', async () => {
    const a = await h.register();
    const b = await h.register();
    expect(await client.request('auth:v1', 'get_user', { user_id: a.id })).toEqual(a);
    expect(await client.request('auth:v1', 'get_user', { user_id: 'missing' })).toBeNull();
    const pending = await client.request('auth:v1', 'list_users', {
      status: 'pending_approval',
      limit: 100,
    });
    expect(pending.items.map((u) => u.id)).toEqual(expect.arrayContaining([a.id, b.id]));
    expect(pending.items.every((u) => u.status === 'pending_approval')).toBe(true);
    const page1 = await client.request('auth:v1', 'list_users', { limit: 1, page: 1 });
    const page2 = await client.request('auth:v1', 'list_users', { limit: 1, page: 2 });
    expect(page1.total).toBeGreaterThanOrEqual(3);
    expect(page1.items).toHaveLength(1);
    expect(page2.items[0].id).not.toBe(page1.items[0].id);
    expect(page1.items[0].role).toBe('admin'); // oldest first
  });

  it('check_permission follows the documented table', async () => {
    const { user } = await h.activeUser();
    const pending = await h.register();
    const check = (user_id: string, resource: string, action: string, owner_id?: string) =>
      client
        .request('auth:v1', 'check_permission', { user_id, resource, action, owner_id })
        .then((r) => r.allowed);
    for (const r of ['content', 'catalog', 'stream', 'search'])
      expect(await check(user.id, r, 'read')).toBe(true);
    expect(await check(user.id, 'progress', 'write', user.id)).toBe(true);
    expect(await check(user.id, 'progress', 'write', admin)).toBe(false);
    expect(await check(user.id, 'content', 'write')).toBe(false);
    expect(await check(user.id, 'admin', 'read')).toBe(false);
    expect(await check(user.id, 'constructor', 'read')).toBe(false);
    expect(await check(pending.id, 'content', 'read')).toBe(false);
    expect(await check('missing', 'content', 'read')).toBe(false);
    expect(await check(admin, 'admin', 'delete')).toBe(true);
    expect(await check(admin, 'progress', 'write', user.id)).toBe(true);
  });

  it('approve and reject publish their events; only an active admin may act', async () => {
    const approved = await events('user_approved');
    const rejected = await events('user_rejected');
    const a = await h.register();
    const b = await h.register();
    const done = await client.request('auth:v1', 'approve_user', { user_id: a.id, by: admin });
    expect(done).toMatchObject({ id: a.id, status: 'active' });
    expect(done.approved_at).not.toBeNull();
    expect((await h.login(a.username, PASSWORD, '10.20.0.1')).statusCode).toBe(200);
    expect(
      await client.request('auth:v1', 'reject_user', {
        user_id: b.id,
        by: admin,
        reason: 'unknown person',
      }),
    ).toMatchObject({ status: 'rejected', status_reason: 'unknown person' });
    await waitFor(() => approved.got.length === 1 && rejected.got.length === 1, 1000, {
      message: 'events',
    });
    expect(approved.got).toEqual([{ user_id: a.id, by: admin }]);
    expect(rejected.got).toEqual([{ user_id: b.id, by: admin, reason: 'unknown person' }]);
    // Not an admin (an active user), an unknown id: FORBIDDEN, and nothing changes.
    const c = await h.register();
    for (const by of [a.id, 'nobody']) {
      await expect(
        client.request('auth:v1', 'approve_user', { user_id: c.id, by }),
      ).rejects.toMatchObject({ code: 'FORBIDDEN' });
    }
    expect((await client.request('auth:v1', 'get_user', { user_id: c.id }))?.status).toBe(
      'pending_approval',
    );
    await approved.off();
    await rejected.off();
  });

  it('status changes: repeats are answered without a new event, impossible ones are refused', async () => {
    const approved = await events('user_approved');
    const u = await h.register();
    await client.request('auth:v1', 'approve_user', { user_id: u.id, by: admin });
    await client.request('auth:v1', 'approve_user', { user_id: u.id, by: admin });
    await expect(
      client.request('auth:v1', 'reject_user', { user_id: u.id, by: admin }),
    ).rejects.toMatchObject({ code: 'INVALID_STATUS_CHANGE' });
    await expect(
      client.request('auth:v1', 'approve_user', { user_id: 'missing', by: admin }),
    ).rejects.toMatchObject({ code: 'USER_NOT_FOUND' });
    await expect(
      client.request('auth:v1', 'suspend_user', { user_id: admin, by: admin }),
    ).rejects.toMatchObject({ code: 'CANNOT_MANAGE_SELF' });
    await new Promise((r) => setTimeout(r, 20));
    expect(approved.got.filter((e) => e.user_id === u.id)).toHaveLength(1);
    await approved.off();
  });

  it('suspension ends every session of the user at once and publishes user_suspended', async () => {
    const suspended = await events('user_suspended');
    const { user, access } = await h.activeUser();
    const second = (await h.login(user.username, PASSWORD, '10.21.0.1')).json();
    const other = await h.activeUser();
    expect(
      await client.request('auth:v1', 'get_active_sessions', { user_id: user.id }),
    ).toHaveLength(2);
    await client.request('auth:v1', 'suspend_user', {
      user_id: user.id,
      by: admin,
      reason: 'abuse',
    });
    expect(await client.request('auth:v1', 'get_active_sessions', { user_id: user.id })).toEqual(
      [],
    );
    for (const token of [access, second.access_token])
      expect(await client.request('auth:v1', 'validate_token', { token })).toBeNull();
    expect(
      (await h.post('/api/auth/refresh', { refresh_token: second.refresh_token })).statusCode,
    ).toBe(401);
    expect(
      await client.request('auth:v1', 'validate_token', { token: other.access }),
    ).not.toBeNull();
    await waitFor(() => suspended.got.length === 1, 1000, { message: 'user_suspended' });
    expect(suspended.got[0]).toEqual({ user_id: user.id, by: admin, reason: 'abuse' });
    // Re-approval brings the account back, but not the old sessions.
    await client.request('auth:v1', 'approve_user', { user_id: user.id, by: admin });
    expect(await client.request('auth:v1', 'validate_token', { token: access })).toBeNull();
    expect((await h.login(user.username, PASSWORD, '10.21.0.2')).statusCode).toBe(200);
    await suspended.off();
  });

  it('publishes user_registered and user_login', async () => {
    const registered = await events('user_registered');
    const login = await events('user_login');
    const { user } = await h.activeUser();
    await waitFor(() => registered.got.length === 1 && login.got.length === 1, 1000, {
      message: 'events',
    });
    expect(registered.got[0]).toEqual({
      user_id: user.id,
      email: user.email,
      username: user.username,
    });
    expect(login.got[0]).toEqual({ user_id: user.id, session_id: expect.any(String) });
    await registered.off();
    await login.off();
  });

  it('rejects malformed contract input with INVALID_PAYLOAD', async () => {
    await expect(client.request('auth:v1', 'validate_token', { token: '' })).rejects.toMatchObject({
      code: 'INVALID_PAYLOAD',
    });
    await expect(client.request('auth:v1', 'list_users', { limit: 1000 })).rejects.toMatchObject({
      code: 'INVALID_PAYLOAD',
    });
  });
});
