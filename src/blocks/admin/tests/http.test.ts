/**
 * The admin block through its real router, contract and database (SQLite and PostgreSQL), in a
 * host whose other blocks are mocks built from their contracts: guards on every route, user
 * management through auth with `by` and audit entries, status with real temp dirs, pass-through
 * of streams/cache/jobs, paging of the audit log, and what a down or slow dependency looks like.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import {
  authV1,
  BlockError,
  cacheV1,
  contentV1,
  mockBlock,
  streamV1,
  workerV1,
  type ActionOutput,
  type EventPayload,
  type User,
} from '../../../orchestration/index.ts';
import { loadConfig } from '../../../app/config.ts';
import { buildHost, type App } from '../../../app/host.ts';
import { describeEachDatabase } from '../../../../test/support/databases.ts';
import { memoryLogger } from '../../../../test/support/logs.ts';
import { waitFor } from '../../../../test/support/wait.ts';
import adminBlock from '../index.ts';

type Job = ActionOutput<'worker:v1', 'get_job'> & {};
const now = new Date().toISOString();
const user = (id: string, over: Partial<User> = {}): User => ({
  id,
  email: `${id}@x.test`,
  username: `name-${id}`,
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
  admin: user('a1', { role: 'admin', username: 'boss' }),
  limited: user('a2', { role: 'admin' }),
  viewer: user('u1'),
  pending: user('u2', { status: 'pending_approval' }),
};
const job = (id: string, over: Partial<Job> = {}): Job => ({
  id,
  type: 'probe',
  priority: 'normal',
  status: 'failed',
  payload: {},
  attempts: 3,
  max_attempts: 3,
  progress: 0,
  result: null,
  error: 'ffprobe exited 1',
  created_at: now,
  updated_at: now,
  run_at: now,
  ...over,
});
const notFound = (id: string) => new BlockError('USER_NOT_FOUND', `no user ${id}`, { status: 404 });
const pendingUser = (id: string, status: User['status'], reason?: string) =>
  id === 'ghost'
    ? Promise.reject(notFound(id))
    : user(id, { status, status_reason: reason ?? null });

const slow = { queueStats: false };
const authMock = mockBlock(
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
    check_permission: ({ user_id }) =>
      user_id === 'a2'
        ? { allowed: false, reason: 'read-only admin' }
        : { allowed: true, reason: null },
    list_users: ({ status, page, limit }) => ({
      items: [user('u7', { status: status ?? 'active' })],
      total: 1,
      page,
      limit,
    }),
    approve_user: ({ user_id }) => pendingUser(user_id, 'active'),
    reject_user: ({ user_id, reason }) => pendingUser(user_id, 'rejected', reason),
    suspend_user: ({ user_id, reason }) => pendingUser(user_id, 'suspended', reason),
    get_user: ({ user_id }) =>
      user_id === 'u1' ? user('u1') : Promise.reject(new Error('auth lookup broke')),
  },
  Object.keys(authV1.actions),
);
const streamMock = mockBlock(
  'stream:v1',
  {
    get_active_streams: () => [
      {
        session_id: 's1',
        user_id: 'u1',
        content_id: 'c1',
        tier: 'ssd',
        started_at: now,
        bytes_sent: 1_048_576,
      },
      {
        session_id: 's2',
        user_id: 'u9',
        content_id: 'c2',
        tier: 'nas',
        started_at: now,
        bytes_sent: 42,
      },
    ],
  },
  Object.keys(streamV1.actions),
);
const SSD_FS = { total_bytes: 480e9, free_bytes: 300e9, used_bytes: 180e9 };
const ssdDisk = { unreadable: false };
const cacheMock = mockBlock(
  'cache:v1',
  {
    get_cache_stats: () => ({
      tiers: {
        memory: { hits: 9, misses: 1, hit_rate: 0.9 },
        ssd: { hits: 0, misses: 0, hit_rate: null },
      },
      ssd: {
        used_bytes: 250,
        capacity_bytes: 1000,
        files: 2,
        dir: '/var/cache/wsoptv',
        filesystem: ssdDisk.unreadable ? null : SSD_FS,
      },
      active_slots: 1,
      hot_contents: [{ content_id: 'c1', plays_7d: 12, on_ssd: true }],
    }),
  },
  Object.keys(cacheV1.actions),
);
const workerMock = mockBlock(
  'worker:v1',
  {
    list_jobs: ({ limit }) => ({ items: [job('j1')].slice(0, limit), total: 1 }),
    get_job: ({ job_id }) =>
      job_id === 'boom'
        ? Promise.reject(new Error('queue store crashed'))
        : job_id === 'j1'
          ? job('j1')
          : null,
    retry_job: ({ job_id }) => job(job_id, { status: 'pending', attempts: 0 }),
    enqueue: ({ type, priority, payload }) =>
      job('scan-1', { type, priority, payload, status: 'pending', attempts: 0, error: null }),
    get_queue_stats: () =>
      slow.queueStats
        ? new Promise(() => {})
        : { pending: 1, processing: 0, completed: 5, failed: 1, retrying: 0 },
  },
  Object.keys(workerV1.actions),
);
const contentMock = mockBlock(
  'content:v1',
  {
    get_content: ({ content_id }) =>
      content_id === 'c1'
        ? {
            id: 'c1',
            title: 'Main Event Day 7',
            description: '',
            catalog: 'WSOP',
            duration_seconds: 60,
            file_size: 1,
            media_path: 'a.mp4',
            thumbnail_url: null,
            added_at: now,
            metadata: {},
          }
        : null,
  },
  Object.keys(contentV1.actions),
);

const ROUTES = [
  ['GET', '/api/admin/status'],
  ['GET', '/api/admin/users'],
  ['POST', '/api/admin/users/u2/approve'],
  ['POST', '/api/admin/users/u2/reject'],
  ['POST', '/api/admin/users/u2/suspend'],
  ['GET', '/api/admin/streams'],
  ['GET', '/api/admin/cache'],
  ['GET', '/api/admin/jobs'],
  ['GET', '/api/admin/jobs/j1'],
  ['POST', '/api/admin/jobs/j1/retry'],
  ['POST', '/api/admin/library/scan'],
  ['GET', '/api/admin/audit'],
  ['GET', '/api/admin/dead-letters'],
  ['POST', '/api/admin/dead-letters/replay'],
] as const;

describeEachDatabase('admin over HTTP', (target) => {
  let app: App;
  let libraryDir: string;
  const events: Array<EventPayload<'admin_action'>> = [];
  const call = (
    method: 'GET' | 'POST',
    url: string,
    token?: string,
    payload?: unknown,
    remoteAddress = '127.0.0.1',
  ) =>
    app.http.inject({
      method,
      url,
      remoteAddress,
      headers: token ? { authorization: `Bearer ${token}` } : {},
      ...(payload === undefined ? {} : { payload: payload as never }),
    });
  const timed = async (method: 'GET' | 'POST', url: string, token?: string) => {
    const t = performance.now();
    const res = await call(method, url, token);
    return { res, ms: performance.now() - t };
  };
  const audit = async (q = '') => (await call('GET', `/api/admin/audit${q}`, 'admin')).json();

  beforeAll(async () => {
    libraryDir = mkdtempSync(join(tmpdir(), 'wsoptv-lib-'));
    const env = {
      ...target.env(),
      WSOPTV_LIBRARY_DIR: libraryDir,
      WSOPTV_SERVE_WEB: 'false',
      WSOPTV_EVENT_MAX_DELIVERIES: '1',
    };
    app = await buildHost(loadConfig(env), memoryLogger().logger, [
      adminBlock,
      authMock.manifest,
      streamMock.manifest,
      cacheMock.manifest,
      workerMock.manifest,
      contentMock.manifest,
    ]);
    await app.orchestrator.subscribe('admin_action', (p) => void events.push(p));
  });
  afterAll(async () => {
    await app?.close();
    rmSync(libraryDir, { recursive: true, force: true });
  });
  beforeEach(() => {
    for (const m of [authMock, streamMock, cacheMock, workerMock, contentMock]) m.calls.length = 0;
  });

  it('every route: 401 without a token, 403 for a non-admin or an inactive account', async () => {
    for (const [method, url] of ROUTES) {
      const anon = await call(method, url);
      expect(anon.statusCode, `${method} ${url}`).toBe(401);
      expect(anon.json().error.code).toBe('UNAUTHORIZED');
      expect((await call(method, url, 'forged')).statusCode, `${method} ${url}`).toBe(401);
      const viewer = await call(
        method,
        url,
        'viewer',
        method === 'POST' ? { reason: 'x' } : undefined,
      );
      expect(viewer.statusCode, `${method} ${url}`).toBe(403);
      expect(viewer.json().error.code).toBe('FORBIDDEN');
      expect((await call(method, url, 'pending')).json().error.code).toBe(
        'ACCOUNT_PENDING_APPROVAL',
      );
    }
    // Nothing reached the other blocks beyond token checks.
    expect(authMock.calls.every((c) => c.action === 'validate_token')).toBe(true);
    expect([streamMock, cacheMock, workerMock].every((m) => m.calls.length === 0)).toBe(true);
  });

  it('describes its routes in the OpenAPI document', async () => {
    const doc = (await app.http.inject({ method: 'GET', url: '/docs/json' })).json();
    const paths = [
      '/api/admin/status',
      '/api/admin/users',
      '/api/admin/users/{id}/approve',
      '/api/admin/users/{id}/reject',
      '/api/admin/users/{id}/suspend',
      '/api/admin/streams',
      '/api/admin/cache',
      '/api/admin/jobs',
      '/api/admin/jobs/{id}',
      '/api/admin/jobs/{id}/retry',
      '/api/admin/library/scan',
      '/api/admin/audit',
    ];
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(paths));
    expect(
      doc.paths['/api/admin/users/{id}/reject'].post.requestBody.content['application/json'].schema
        .required,
    ).toEqual(['reason']);
    expect(
      doc.paths['/api/admin/status'].get.responses['200'].content['application/json'].schema
        .properties,
    ).toHaveProperty('disks');
  });

  it('approve, reject and suspend go through auth with `by` = the admin and are audited (who, what, target, ip, when)', async () => {
    const before = Date.now();
    const ok = await call('POST', '/api/admin/users/u2/approve', 'admin', undefined, '10.1.2.3');
    expect(ok.statusCode, ok.body).toBe(200);
    expect(ok.json()).toMatchObject({ id: 'u2', status: 'active' });
    expect(
      (
        await call(
          'POST',
          '/api/admin/users/u3/reject',
          'admin',
          { reason: 'not on the list' },
          '10.1.2.4',
        )
      ).json(),
    ).toMatchObject({ status: 'rejected' });
    expect(
      (await call('POST', '/api/admin/users/u4/suspend', 'admin', { reason: 'shared account' }))
        .statusCode,
    ).toBe(200);
    const bare = await call('POST', '/api/admin/users/u5/suspend', 'admin');
    expect(bare.statusCode, bare.body).toBe(200);
    expect(authMock.callsOf('approve_user')).toEqual([{ user_id: 'u2', by: 'a1' }]);
    expect(authMock.callsOf('reject_user')).toEqual([
      { user_id: 'u3', by: 'a1', reason: 'not on the list' },
    ]);
    expect(authMock.callsOf('suspend_user')).toEqual([
      { user_id: 'u4', by: 'a1', reason: 'shared account' },
      { user_id: 'u5', by: 'a1' },
    ]);
    expect(authMock.callsOf('check_permission')).toEqual(
      ['approve_user', 'reject_user', 'suspend_user', 'suspend_user'].map((action) => ({
        user_id: 'a1',
        resource: 'admin',
        action,
      })),
    );

    const log = await audit('?limit=4');
    expect(log.items.map((e: any) => [e.action, e.target])).toEqual([
      ['suspend_user', 'user:u5'],
      ['suspend_user', 'user:u4'],
      ['reject_user', 'user:u3'],
      ['approve_user', 'user:u2'],
    ]);
    const approve = log.items[3];
    expect(approve).toMatchObject({
      actor_id: 'a1',
      actor_name: 'boss',
      client_ip: '10.1.2.3',
      details: { username: 'name-u2', status: 'active' },
    });
    expect(Date.parse(approve.at)).toBeGreaterThanOrEqual(before - 5);
    expect(Date.parse(approve.at)).toBeLessThanOrEqual(Date.now());
    expect(log.items[2]).toMatchObject({
      client_ip: '10.1.2.4',
      details: { reason: 'not on the list' },
    });
    await waitFor(() => events.some((e) => e.target === 'user:u5'), 2000, {
      message: 'admin_action event',
    });
    expect(events).toContainEqual({ actor_id: 'a1', action: 'approve_user', target: 'user:u2' });
  });

  it('refuses what check_permission refuses, bad input, and passes auth errors through; none of it is audited', async () => {
    const { total } = await audit();
    const denied = await call('POST', '/api/admin/users/u2/approve', 'limited');
    expect(denied.statusCode).toBe(403);
    expect(denied.json().error).toMatchObject({
      code: 'FORBIDDEN',
      message: expect.stringContaining('read-only admin'),
    });
    expect(authMock.callsOf('approve_user')).toEqual([]);
    for (const body of [
      {},
      { reason: '  ' },
      { reason: 'x'.repeat(501) },
      { reason: 'ok', extra: 1 },
    ]) {
      const res = await call('POST', '/api/admin/users/u2/reject', 'admin', body);
      expect(res.statusCode, JSON.stringify(body)).toBe(400);
      expect(res.json().error.code).toBe('VALIDATION_FAILED');
    }
    const ghost = await call('POST', '/api/admin/users/ghost/approve', 'admin');
    expect(ghost.statusCode).toBe(404);
    expect(ghost.json().error.code).toBe('USER_NOT_FOUND');
    expect((await audit()).total).toBe(total);
  });

  it('lists users through auth, with its filters and paging', async () => {
    const res = await call(
      'GET',
      '/api/admin/users?status=pending_approval&page=2&limit=5',
      'admin',
    );
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      total: 1,
      page: 2,
      limit: 5,
      items: [{ id: 'u7', status: 'pending_approval' }],
    });
    expect(authMock.callsOf('list_users')).toEqual([
      { status: 'pending_approval', page: 2, limit: 5 },
    ]);
    for (const q of ['status=nope', 'limit=101', 'page=0'])
      expect((await call('GET', `/api/admin/users?${q}`, 'admin')).statusCode, q).toBe(400);
  });

  it('status: blocks with breaker, transport, CPU, memory, real disk figures, NAS reachability', async () => {
    const res = await call('GET', '/api/admin/status', 'admin');
    expect(res.statusCode, res.body).toBe(200);
    const s = res.json();
    expect(s.transport).toEqual({ kind: 'memory', state: 'connected' });
    expect(s.blocks.map((b: any) => b.id)).toEqual(
      expect.arrayContaining(['admin', 'auth', 'cache', 'content', 'stream', 'worker']),
    );
    expect(s.blocks.find((b: any) => b.id === 'cache')).toMatchObject({
      status: 'healthy',
      up: true,
      breaker: 'closed',
      contracts: ['cache:v1'],
      version: '0.0.0-mock',
      node_id: s.node_id,
    });
    expect(s.missing_blocks).toEqual(['search']);
    expect(s.dependencies).toMatchObject({
      auth: { available: true },
      stream: { available: true },
      cache: { available: true },
      worker: { available: true },
    });
    expect(s.summary).toEqual({
      active_streams: 2,
      pending_users: 1,
      queue: { pending: 1, processing: 0, completed: 5, failed: 1, retrying: 0 },
      cache_hit_rate: { memory: 0.9, ssd: null },
    });
    expect(s.cpu.cores).toBeGreaterThan(0);
    expect(s.cpu.load_avg).toHaveLength(3);
    expect(s.memory.total_bytes).toBeGreaterThan(s.memory.process.heap_used);
    expect(s.disks.nas).toMatchObject({ path: libraryDir, available: true, error: null });
    expect(s.disks.nas.total_bytes).toBeGreaterThan(0);
    expect(s.disks.nas.free_bytes).toBeLessThanOrEqual(s.disks.nas.total_bytes);
    expect(s.disks.nas.used_bytes).toBeLessThanOrEqual(s.disks.nas.total_bytes);
    expect(s.disks.nas.reachable).toBe(true);
    // The SSD is the cache block's: its directory, file system, budget and use, as it reports them.
    expect(s.disks.ssd).toEqual({
      path: '/var/cache/wsoptv',
      available: true,
      ...SSD_FS,
      error: null,
      capacity_bytes: 1000,
      cache_used_bytes: 250,
    });
    ssdDisk.unreadable = true;
    try {
      const unreadable = (await call('GET', '/api/admin/status', 'admin')).json();
      expect(unreadable.disks.ssd).toMatchObject({
        path: '/var/cache/wsoptv',
        available: false,
        total_bytes: null,
        error: expect.stringContaining('could not read'),
        capacity_bytes: 1000,
        cache_used_bytes: 250,
      });
    } finally {
      ssdDisk.unreadable = false;
    }

    rmSync(libraryDir, { recursive: true });
    try {
      const gone = (await call('GET', '/api/admin/status', 'admin')).json();
      expect(gone.disks.nas).toMatchObject({
        reachable: false,
        available: false,
        total_bytes: null,
        error: expect.stringContaining('ENOENT'),
      });
    } finally {
      mkdirSync(libraryDir);
    }
  });

  it('streams: enriched with username and title, ids only where a lookup fails', async () => {
    const res = await call('GET', '/api/admin/streams', 'admin');
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toEqual({
      total: 2,
      items: [
        {
          session_id: 's1',
          user_id: 'u1',
          username: 'name-u1',
          content_id: 'c1',
          content_title: 'Main Event Day 7',
          tier: 'ssd',
          started_at: now,
          bytes_sent: 1_048_576,
        },
        {
          session_id: 's2',
          user_id: 'u9',
          username: null,
          content_id: 'c2',
          content_title: null,
          tier: 'nas',
          started_at: now,
          bytes_sent: 42,
        },
      ],
    });
  });

  it('cache: per-tier hit rates, SSD usage against capacity, hot videos with titles', async () => {
    const res = await call('GET', '/api/admin/cache', 'admin');
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toEqual({
      tiers: {
        memory: { hits: 9, misses: 1, hit_rate: 0.9 },
        ssd: { hits: 0, misses: 0, hit_rate: null },
      },
      ssd: { used_bytes: 250, capacity_bytes: 1000, files: 2, usage_percent: 25 },
      active_slots: 1,
      hot_contents: [{ content_id: 'c1', title: 'Main Event Day 7', plays_7d: 12, on_ssd: true }],
    });
  });

  it('jobs: list with queue counts, one job, 404 for an unknown one; retry and scan are audited', async () => {
    const list = await call('GET', '/api/admin/jobs?status=failed&limit=10&offset=0', 'admin');
    expect(list.statusCode, list.body).toBe(200);
    expect(list.json()).toMatchObject({
      total: 1,
      limit: 10,
      offset: 0,
      items: [{ id: 'j1', status: 'failed' }],
      stats: { completed: 5 },
    });
    expect(workerMock.callsOf('list_jobs')).toEqual([{ status: 'failed', limit: 10, offset: 0 }]);
    expect((await call('GET', '/api/admin/jobs/j1', 'admin')).json()).toMatchObject({
      id: 'j1',
      type: 'probe',
    });
    const missing = await call('GET', '/api/admin/jobs/nope', 'admin');
    expect(missing.statusCode).toBe(404);
    expect(missing.json().error.code).toBe('JOB_NOT_FOUND');
    // A crash inside the worker is its fault, not ours: 503 with its code, never a 500.
    const crashed = await call('GET', '/api/admin/jobs/boom', 'admin');
    expect(crashed.statusCode).toBe(503);
    expect(crashed.json().error).toMatchObject({ code: 'INTERNAL', details: { block: 'worker' } });

    const retry = await call('POST', '/api/admin/jobs/j1/retry', 'admin', undefined, '10.9.9.9');
    expect(retry.statusCode, retry.body).toBe(200);
    expect(retry.json()).toMatchObject({ id: 'j1', status: 'pending' });
    const scan = await call('POST', '/api/admin/library/scan', 'admin');
    expect(scan.statusCode, scan.body).toBe(202);
    expect(scan.json()).toMatchObject({
      id: 'scan-1',
      type: 'library_scan',
      priority: 'high',
      status: 'pending',
    });
    expect(workerMock.callsOf('enqueue')).toEqual([
      { type: 'library_scan', priority: 'high', payload: { requested_by: 'a1' } },
    ]);
    expect(authMock.callsOf('check_permission')).toEqual([
      { user_id: 'a1', resource: 'admin', action: 'retry_job' },
      { user_id: 'a1', resource: 'admin', action: 'library_scan' },
    ]);
    const [scanned, retried] = (await audit('?limit=2')).items;
    expect(retried).toMatchObject({
      actor_id: 'a1',
      action: 'retry_job',
      target: 'job:j1',
      client_ip: '10.9.9.9',
      details: { type: 'probe' },
    });
    expect(scanned).toMatchObject({
      actor_id: 'a1',
      action: 'library_scan',
      target: 'job:scan-1',
      details: { priority: 'high' },
    });
    expect((await call('POST', '/api/admin/library/scan', 'limited')).statusCode).toBe(403);
  });

  it('audit log: newest first, paged, the same through the admin:v1 contract', async () => {
    const all = await audit('?limit=100');
    expect(all.total).toBeGreaterThanOrEqual(6);
    const at = all.items.map((e: any) => Date.parse(e.at));
    expect([...at].sort((a, b) => b - a)).toEqual(at);
    const p1 = await audit('?page=1&limit=2');
    const p2 = await audit('?page=2&limit=2');
    expect(p1).toMatchObject({ page: 1, limit: 2, total: all.total });
    expect([...p1.items, ...p2.items]).toEqual(all.items.slice(0, 4));
    expect((await audit(`?page=${all.total + 1}&limit=1`)).items).toEqual([]);
    expect((await call('GET', '/api/admin/audit?limit=0', 'admin')).statusCode).toBe(400);
    const viaContract = await app.orchestrator
      .client('test')
      .request('admin:v1', 'get_audit_log', { page: 2, limit: 2 });
    expect(viaContract).toEqual(p2);
  });

  it('dead letters: a domain event no handler could take is listed, newest first, with its error and message', async () => {
    const before = (await call('GET', '/api/admin/dead-letters', 'admin')).json();
    expect(before).toEqual({ items: [] });
    const off = await app.orchestrator.consume(
      'admin_action',
      () => Promise.reject(new Error('the index is read-only')),
      'poisoned',
    );
    await app.orchestrator.publish(
      'admin',
      'admin_action',
      { actor_id: 'u1', action: 'dead-letter-check', target: null },
      undefined,
      undefined,
    );
    await waitFor(
      async () => (await call('GET', '/api/admin/dead-letters', 'admin')).json().items.length === 1,
      5000,
      { message: 'the dead letter' },
    );
    const [letter] = (await call('GET', '/api/admin/dead-letters?limit=10', 'admin')).json().items;
    expect(letter).toMatchObject({
      channel: 'admin_action',
      group: expect.stringMatching(/^poisoned\./),
      deliveries: 1,
      error: 'the index is read-only',
    });
    expect(letter.message).toContain('dead-letter-check');
    expect(Date.parse(letter.at)).not.toBeNaN();
    expect((await call('GET', '/api/admin/dead-letters?limit=0', 'admin')).statusCode).toBe(400);
    await off();

    // Once the cause is fixed, the admin gives it back to that block; audited; a second try is 404.
    const replayed: unknown[] = [];
    const again = await app.orchestrator.consume(
      'admin_action',
      (p) => void replayed.push(p),
      'poisoned',
    );
    const body = { channel: letter.channel, group: letter.group, id: letter.id };
    const res = await call('POST', '/api/admin/dead-letters/replay', 'admin', body);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toEqual({ replayed: true });
    await waitFor(
      () => replayed.some((p) => (p as { action: string }).action === 'dead-letter-check'),
      5000,
      { message: 'the replayed event' },
    );
    expect((await call('GET', '/api/admin/dead-letters', 'admin')).json().items).toEqual([]);
    const [entry] = (await audit('?limit=1')).items;
    expect(entry).toMatchObject({
      action: 'replay_dead_letter',
      target: `event:admin_action/${letter.id}`,
      details: { group: letter.group },
    });
    const twice = await call('POST', '/api/admin/dead-letters/replay', 'admin', body);
    expect(twice.statusCode).toBe(404);
    expect(twice.json().error.code).toBe('DEAD_LETTER_NOT_FOUND');
    expect(
      (await call('POST', '/api/admin/dead-letters/replay', 'admin', { ...body, extra: 1 }))
        .statusCode,
    ).toBe(400);
    await again();
  });

  it('a slow dependency shows as TIMEOUT in /status, still under 500 ms', async () => {
    slow.queueStats = true;
    try {
      const { res, ms } = await timed('GET', '/api/admin/status', 'admin');
      expect(res.statusCode).toBe(200);
      expect(ms).toBeLessThan(500);
      expect(res.json().dependencies.worker).toMatchObject({ available: false, code: 'TIMEOUT' });
      expect(res.json().summary.queue).toBeNull();
    } finally {
      slow.queueStats = false;
    }
  });

  it('a stopped block: 503 with its code for its panel and "down" in /status, both under 500 ms', async () => {
    await app.stopBlock('cache');
    try {
      const cache = await timed('GET', '/api/admin/cache', 'admin');
      expect(cache.res.statusCode).toBe(503);
      expect(cache.res.json().error).toMatchObject({
        code: 'BLOCK_UNAVAILABLE',
        message: expect.stringContaining('cache service'),
        details: { block: 'cache' },
      });
      expect(cache.ms).toBeLessThan(500);
      const status = await timed('GET', '/api/admin/status', 'admin');
      expect(status.res.statusCode).toBe(200);
      expect(status.ms).toBeLessThan(500);
      const s = status.res.json();
      expect(s.blocks.find((b: any) => b.id === 'cache')).toMatchObject({
        status: 'stopped',
        up: false,
      });
      expect(s.dependencies.cache).toMatchObject({ available: false, code: 'BLOCK_UNAVAILABLE' });
      expect(s.summary.cache_hit_rate).toBeNull();
      // The SSD panel says the cache cannot answer, with no figures.
      expect(s.disks.ssd).toEqual({
        path: null,
        available: false,
        total_bytes: null,
        free_bytes: null,
        used_bytes: null,
        error: expect.stringContaining('BLOCK_UNAVAILABLE'),
        capacity_bytes: null,
        cache_used_bytes: null,
      });
      // Other panels keep working.
      expect((await call('GET', '/api/admin/streams', 'admin')).statusCode).toBe(200);
    } finally {
      await app.restartBlock('cache');
    }
    expect((await call('GET', '/api/admin/cache', 'admin')).statusCode).toBe(200);
  });

  it('auth down: reads from the cached session, changes refused with 503, never a 500', async () => {
    // the session is fresh in the validator's cache
    await call('GET', '/api/admin/status', 'admin');
    await app.stopBlock('auth');
    try {
      const status = await timed('GET', '/api/admin/status', 'admin');
      expect(status.res.statusCode).toBe(200);
      expect(status.ms).toBeLessThan(500);
      expect(status.res.json().dependencies.auth).toMatchObject({
        available: false,
        code: 'BLOCK_UNAVAILABLE',
      });
      const users = await call('GET', '/api/admin/users', 'admin');
      expect(users.statusCode).toBe(503);
      expect(users.json().error.code).toBe('BLOCK_UNAVAILABLE');
      const approve = await call('POST', '/api/admin/users/u2/approve', 'admin');
      expect(approve.statusCode).toBe(503);
      expect(approve.json().error.code).toBe('READ_ONLY');
      expect((await call('GET', '/api/admin/audit', 'admin')).statusCode).toBe(200);
    } finally {
      await app.restartBlock('auth');
    }
  });
});
