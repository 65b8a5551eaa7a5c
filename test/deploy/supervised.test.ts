/**
 * The supervised deployment for real: `Supervisor` starts every block in its own process plus a
 * gateway, on the shared Redis with a namespace of its own, a temp data dir and a library of
 * real MP4s. One deployment serves the whole file (it takes seconds to start on a small machine).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { Supervisor } from '../../src/deploy/supervisor.ts';
import { allBlocks } from '../../src/app/blocks.ts';
import { describeRedis, redisUrl, testBusSecret } from '../support/redis.ts';
import { ffmpegInstalled, makeLibrary } from '../support/media.ts';
import { memoryLogger } from '../support/logs.ts';
import { waitFor } from '../support/wait.ts';

const ADMIN = { email: 'chief@wsoptv.test', password: 'Adm1n!pass-deploy' };

describeRedis('supervised deployment: one process per block behind one gateway', () => {
  const root = mkdtempSync(join(tmpdir(), 'wsoptv-deploy-'));
  const library = join(root, 'library');
  const { logger, lines } = memoryLogger('info');
  let sup: Supervisor;
  let adminToken: string;
  let contentId: string;
  const figures: Record<string, number> = {};

  const api = async (
    method: string,
    path: string,
    opts: { token?: string; body?: unknown; headers?: Record<string, string> } = {},
  ) => {
    const res = await fetch(`${sup.url}${path}`, {
      method,
      headers: {
        ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}),
        ...(opts.body ? { 'content-type': 'application/json' } : {}),
        ...opts.headers,
      },
      body: opts.body ? JSON.stringify(opts.body) : undefined,
      signal: AbortSignal.timeout(10_000),
    });
    const text = await res.text();
    let json: any;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    return { status: res.status, headers: res.headers, text, json };
  };

  beforeAll(async () => {
    if (!ffmpegInstalled) throw new Error('these tests stream a real MP4: install ffmpeg');
    makeLibrary(library, { 'WSOP/2024/final-table.mp4': { seconds: 3 } });
    sup = new Supervisor({
      env: {
        REDIS_URL: redisUrl,
        WSOPTV_BUS_SECRET: testBusSecret,
        WSOPTV_BUS_NAMESPACE: `deploy-${randomBytes(4).toString('hex')}`,
        WSOPTV_DATA_DIR: join(root, 'data'),
        WSOPTV_LIBRARY_DIR: library,
        WSOPTV_SCAN_ON_START: 'false',
        WSOPTV_BCRYPT_COST: '4',
        WSOPTV_ADMIN_EMAIL: ADMIN.email,
        WSOPTV_ADMIN_PASSWORD: ADMIN.password,
        DATABASE_URL: '',
        LOG_LEVEL: 'warn',
      },
      port: 0,
      logger,
      backoff: { initialMs: 100, maxMs: 2000, resetAfterMs: 30_000 },
    });
    const t0 = performance.now();
    await sup.start();
    figures.start_ms = Math.round(performance.now() - t0);
  }, 90_000);

  afterAll(async () => {
    await sup?.stop();
    console.log(`deployment figures: ${JSON.stringify(figures)}`);
    rmSync(root, { recursive: true, force: true });
  }, 30_000);

  it('runs every block in its own process, all healthy in the gateway registry', async () => {
    const children = sup.children();
    expect(children.map((c) => c.name).sort()).toEqual(
      [...allBlocks.map((b) => b.id), 'gateway'].sort(),
    );
    for (const c of children) expect(c).toMatchObject({ state: 'running', restarts: 0 });
    expect(new Set(children.map((c) => c.pid)).size).toBe(children.length);

    await waitFor(
      async () => {
        const { json } = await api('GET', '/api/blocks');
        return allBlocks.every((b) =>
          json.blocks.some(
            (i: any) => i.id === b.id && (i.status === 'healthy' || i.status === 'degraded'),
          ),
        );
      },
      10_000,
      { intervalMs: 100, message: 'every block serving in the gateway registry' },
    );
    const { json } = await api('GET', '/api/blocks');
    const nodes = new Map<string, string>();
    for (const i of json.blocks)
      if (i.status !== 'unhealthy' && i.status !== 'stopped') nodes.set(i.id, i.node_id);
    expect([...nodes.keys()].sort()).toEqual(allBlocks.map((b) => b.id).sort());
    expect(new Set(nodes.values()).size).toBe(allBlocks.length); // seven blocks, seven nodes
    expect([...nodes.values()]).not.toContain(json.node_id); // the gateway hosts none
  });

  it('registers, approves, logs in and serves home through the gateway; unknown paths are 404', async () => {
    const admin = await api('POST', '/api/auth/login', {
      body: { login: ADMIN.email, password: ADMIN.password },
    });
    expect(admin.status, admin.text).toBe(200);
    adminToken = admin.json.access_token;

    const reg = await api('POST', '/api/auth/register', {
      body: {
        email: 'fan@wsoptv.test',
        username: 'fan',
        password: 'Poker#Face9',
        full_name: 'A Fan',
      },
    });
    expect(reg.status, reg.text).toBe(201);
    // A viewer cannot choose the address the blocks see: the gateway sets X-Forwarded-For itself.
    const approved = await api('POST', `/api/admin/users/${reg.json.id}/approve`, {
      token: adminToken,
      headers: { 'x-forwarded-for': '203.0.113.9' },
    });
    expect(approved.status, approved.text).toBe(200);
    const audit = await api('GET', '/api/admin/audit', { token: adminToken });
    expect(audit.status, audit.text).toBe(200);
    expect(audit.text).toContain('127.0.0.1');
    expect(audit.text).not.toContain('203.0.113.9');

    const made = await api('POST', '/api/contents', {
      token: adminToken,
      body: {
        title: 'Final Table',
        catalog: 'WSOP',
        media_path: 'WSOP/2024/final-table.mp4',
        duration_seconds: 3,
      },
    });
    expect(made.status, made.text).toBe(201);
    contentId = made.json.id;

    const login = await api('POST', '/api/auth/login', {
      body: { login: 'fan', password: 'Poker#Face9' },
    });
    expect(login.status, login.text).toBe(200);
    const home = await api('GET', '/api/home', { token: login.json.access_token });
    expect(home.status, home.text).toBe(200);
    expect(home.text).toContain('Final Table');
    expect(home.headers.get('x-correlation-id')).toBeTruthy();

    const nowhere = await api('GET', '/api/no-such-thing');
    expect(nowhere.status).toBe(404);
    expect(nowhere.json.error.code).toBe('NOT_FOUND');

    // Rough proxy overhead: the same request through the gateway and straight to content's process.
    const direct = sup.child('content').url!;
    const time = async (base: string) => {
      const t = performance.now();
      for (let i = 0; i < 30; i++)
        await (
          await fetch(`${base}/api/home`, {
            headers: { authorization: `Bearer ${login.json.access_token}` },
          })
        ).arrayBuffer();
      return (performance.now() - t) / 30;
    };
    await time(sup.url);
    await time(direct);
    figures.home_via_gateway_ms = Number((await time(sup.url)).toFixed(2));
    figures.home_direct_ms = Number((await time(direct)).toFixed(2));
  });

  it('streams an exact byte range of the MP4 through the gateway', async () => {
    const info = await api('GET', `/api/stream/${contentId}/info`, { token: adminToken });
    expect(info.status, info.text).toBe(200);
    const res = await fetch(`${sup.url}${info.json.url}`, { headers: { range: 'bytes=100-1099' } });
    expect(res.status).toBe(206);
    const file = readFileSync(join(library, 'WSOP/2024/final-table.mp4'));
    expect(res.headers.get('content-range')).toBe(`bytes 100-1099/${file.length}`);
    expect(res.headers.get('accept-ranges')).toBe('bytes');
    expect(Buffer.from(await res.arrayBuffer()).equals(file.subarray(100, 1100))).toBe(true);
    const head = await fetch(`${sup.url}${info.json.url}`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers.get('content-length')).toBe(String(file.length));
  });

  it('answers 503 BLOCK_UNAVAILABLE while a killed block is down, and serves it again once restarted', async () => {
    const before = sup.child('stream');
    const exits: Array<[string, number | null, string | null]> = [];
    const onExit = (name: string, code: number | null, signal: string | null) =>
      void exits.push([name, code, signal]);
    sup.on('exit', onExit);
    const killedAt = performance.now();
    sup.kill('stream');
    await waitFor(() => exits.length > 0, 5000);
    expect(exits[0]).toEqual(['stream', null, 'SIGKILL']);

    const down = await api('GET', `/api/stream/${contentId}/info`, { token: adminToken });
    expect(down.status, down.text).toBe(503);
    expect(down.json.error.code).toBe('BLOCK_UNAVAILABLE');
    expect(down.json.error.message).toContain('stream');
    expect(down.json.error.correlation_id).toBeTruthy();
    // The other blocks keep working meanwhile.
    expect((await api('GET', '/api/catalogs', { token: adminToken })).status).toBe(200);

    await sup.waitReady('stream', 30_000);
    figures.restart_to_ready_ms = Math.round(performance.now() - killedAt);
    const after = sup.child('stream');
    expect(after.pid).not.toBe(before.pid);
    expect(after.restarts).toBe(1);
    expect(after.lastExit).toMatchObject({ code: null, signal: 'SIGKILL' });
    const up = await api('GET', `/api/stream/${contentId}/info`, { token: adminToken });
    expect(up.status, up.text).toBe(200);
    figures.restart_to_served_ms = Math.round(performance.now() - killedAt);
    sup.off('exit', onExit);
    expect(
      lines.some(
        (l) =>
          l.child === 'stream' && l.signal === 'SIGKILL' && typeof l.restart_in_ms === 'number',
      ),
    ).toBe(true);
  }, 40_000);

  it('waits longer before each restart while a child keeps crashing', async () => {
    const delays: number[] = [];
    const onRestart = (name: string, ms: number) => name === 'search' && delays.push(ms);
    sup.on('restart', onRestart);
    for (let i = 0; i < 3; i++) {
      await sup.waitReady('search', 30_000);
      sup.kill('search');
      await waitFor(() => delays.length === i + 1, 5000);
    }
    await sup.waitReady('search', 30_000);
    sup.off('restart', onRestart);
    expect(delays).toEqual([100, 200, 400]);
    expect(sup.child('search').restarts).toBe(3);
    // Search being down meanwhile never broke /api/search: the gateway answers from content's
    // database.
    const found = await api('GET', '/api/search?q=final', { token: adminToken });
    expect(found.status, found.text).toBe(200);
  }, 60_000);
});
