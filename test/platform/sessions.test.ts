/**
 * The shared session validator and route guards, with auth as a mock built from its contract:
 * bearer tokens, account status, admin-only routes, and the "auth down → cached sessions,
 * read-only" fallback with the auth block really stopped.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { defineBlock, mockBlock, type User } from '../../src/orchestration/index.ts';
import { productionContracts } from '../../src/orchestration/contracts/index.ts';
import { loadConfig } from '../../src/app/config.ts';
import { buildHost, type App } from '../../src/app/host.ts';
import { requireUser } from '../../src/orchestration/http-auth.ts';
import { memoryLogger } from '../support/logs.ts';
import { storeV1, testContracts } from '../support/test-contracts.ts';

const now = new Date().toISOString();
const user = (id: string, over: Partial<User> = {}): User => ({
  id,
  email: `${id}@x.test`,
  username: id,
  full_name: null,
  role: 'user',
  status: 'active',
  status_reason: null,
  created_at: now,
  approved_at: now,
  last_login_at: null,
  ...over,
});
const tokens: Record<string, User> = {
  viewer: user('u1'),
  admin: user('a1', { role: 'admin' }),
  pending: user('u2', { status: 'pending_approval' }),
  suspended: user('u3', { status: 'suspended', status_reason: 'sharing the account' }),
};
const auth = mockBlock(
  'auth:v1',
  {
    validate_token: ({ token }) =>
      tokens[token]
        ? {
            user: tokens[token],
            session_id: `s-${token}`,
            expires_at: new Date(Date.now() + 3600_000).toISOString(),
          }
        : null,
  },
  Object.keys(productionContracts.find((c) => c.id === 'auth:v1')!.actions),
);

const notes = defineBlock({
  id: 'store',
  name: 'Notes (test)',
  version: '1',
  contracts: ['store:v1'],
  setup: () => ({
    handlers: { 'store:v1': { put: () => ({ ok: true as const }), get: () => ({ value: null }) } },
    routes: (app) => {
      const r = app.withTypeProvider<ZodTypeProvider>();
      r.get('/notes', { preHandler: requireUser() }, async (req) => ({
        who: req.session!.user.id,
        readOnly: req.session!.readOnly,
      }));
      r.post(
        '/notes',
        {
          preHandler: requireUser({ write: true }),
          schema: { body: z.object({ text: z.string() }) },
        },
        async () => ({ saved: true }),
      );
      r.get('/notes/admin', { preHandler: requireUser({ admin: true }) }, async () => ({
        secret: 42,
      }));
    },
  }),
});
void storeV1;

let app: App;
const call = (method: 'GET' | 'POST', url: string, token?: string) =>
  app.http.inject({
    method,
    url,
    headers: token ? { authorization: `Bearer ${token}` } : {},
    ...(method === 'POST' ? { payload: { text: 'hi' } } : {}),
  });

beforeAll(async () => {
  app = await buildHost(
    loadConfig({}),
    memoryLogger().logger,
    [auth.manifest, notes],
    [...productionContracts, ...testContracts],
  );
});
afterAll(() => app.close());

describe('route guards', () => {
  it('refuses a missing or invalid token with 401 and a code', async () => {
    expect((await call('GET', '/api/notes')).json().error.code).toBe('UNAUTHORIZED');
    const bad = await call('GET', '/api/notes', 'nope');
    expect(bad.statusCode).toBe(401);
    expect(bad.json().error.code).toBe('UNAUTHORIZED');
  });

  it('lets an active user read and write, and says why an inactive account may not', async () => {
    expect((await call('GET', '/api/notes', 'viewer')).json()).toEqual({
      who: 'u1',
      readOnly: false,
    });
    expect((await call('POST', '/api/notes', 'viewer')).statusCode).toBe(200);
    const pending = await call('GET', '/api/notes', 'pending');
    expect(pending.statusCode).toBe(403);
    expect(pending.json().error.code).toBe('ACCOUNT_PENDING_APPROVAL');
    const suspended = await call('GET', '/api/notes', 'suspended');
    expect(suspended.json().error).toMatchObject({ code: 'ACCOUNT_SUSPENDED' });
    expect(suspended.json().error.message).toContain('sharing the account');
  });

  it('closes admin routes to non-admins', async () => {
    expect((await call('GET', '/api/notes/admin', 'viewer')).statusCode).toBe(403);
    expect((await call('GET', '/api/notes/admin', 'viewer')).json().error.code).toBe('FORBIDDEN');
    expect((await call('GET', '/api/notes/admin', 'admin')).json()).toEqual({ secret: 42 });
  });

  it('with auth stopped: recent sessions read (read-only), writes get 503, unknown tokens get 503, logout revokes', async () => {
    await call('GET', '/api/notes', 'viewer');
    await call('GET', '/api/notes', 'admin');
    await app.orchestrator.stopBlock('auth');
    const read = await call('GET', '/api/notes', 'viewer');
    expect(read.statusCode).toBe(200);
    expect(read.json()).toEqual({ who: 'u1', readOnly: true });
    const write = await call('POST', '/api/notes', 'viewer');
    expect(write.statusCode).toBe(503);
    expect(write.json().error.code).toBe('READ_ONLY');
    const stranger = await call('GET', '/api/notes', 'never-seen');
    expect(stranger.statusCode).toBe(503);
    expect(stranger.json().error.code).toBe('AUTH_UNAVAILABLE');
    // A logout announced while auth is down still removes the kept session everywhere.
    await app.orchestrator
      .client('auth')
      .publish('user_logout', { user_id: 'a1', session_id: 's-admin' });
    await new Promise((r) => setTimeout(r, 20));
    expect((await call('GET', '/api/notes', 'admin')).statusCode).toBe(503);
    for (let i = 0; i < 5; i++) await call('GET', '/api/notes', 'viewer');
    expect(app.orchestrator.breakerState('auth')).toBe('open');
    await app.orchestrator.restartBlock('auth');
    // The registry sees auth serving again: its breaker closes at once, no half-open wait.
    expect(app.orchestrator.breakerState('auth')).toBe('closed');
    expect((await call('POST', '/api/notes', 'viewer')).statusCode).toBe(200);
    expect((await call('GET', '/api/notes', 'viewer')).json().readOnly).toBe(false);
  });
});
