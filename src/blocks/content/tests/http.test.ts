/**
 * The content block through its real router and contract, in a host with a mock auth block
 * built from auth:v1, on SQLite and PostgreSQL: guards, admin-only writes, media_path hiding,
 * paging, bad input, events, the auth-down read-only mode, content-down errors, and the
 * /api/home latency with 1,000 items.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventName } from '../../../orchestration/index.ts';
import { authMock } from './helpers.ts';
import { loadConfig } from '../../../app/config.ts';
import { buildHost, type App } from '../../../app/host.ts';
import { describeEachDatabase } from '../../../../test/support/databases.ts';
import { memoryLogger } from '../../../../test/support/logs.ts';
import { waitFor } from '../../../../test/support/wait.ts';
import contentBlock from '../index.ts';

type Method = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
const episode = (n: number, over: object = {}) => ({
  title: `Episode ${n}`,
  catalog: 'WSOP',
  media_path: `WSOP/2024/ep-${n}.mp4`,
  duration_seconds: 3600,
  ...over,
});

describeEachDatabase('content over HTTP', (target) => {
  let app: App;
  const seen: Record<string, any[]> = {};
  const call = (
    method: Method,
    url: string,
    token?: string,
    payload?: unknown,
    headers: Record<string, string> = {},
  ) =>
    app.http.inject({
      method,
      url,
      headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers },
      ...(payload === undefined ? {} : { payload: payload as never }),
    });
  const create = async (body: object) => {
    const res = await call('POST', '/api/contents', 'admin', body);
    expect(res.statusCode, res.body).toBe(201);
    return res.json();
  };
  const client = () => app.orchestrator.client('worker');

  beforeAll(async () => {
    app = await buildHost(loadConfig({ ...target.env() }), memoryLogger().logger, [
      contentBlock,
      authMock().manifest,
    ]);
    for (const e of [
      'content_added',
      'content_updated',
      'content_deleted',
      'progress_updated',
    ] as const satisfies EventName[]) {
      seen[e] = [];
      await app.orchestrator.subscribe(e, (p) => void seen[e].push(p));
    }
  });
  afterAll(() => app?.close());

  it('needs a valid token of an active user; writes to the catalog need an admin', async () => {
    for (const url of [
      '/api/catalogs',
      '/api/contents',
      '/api/contents/x',
      '/api/home',
      '/api/progress/x',
    ]) {
      const res = await call('GET', url);
      expect(res.statusCode, url).toBe(401);
      expect(res.json().error.code).toBe('UNAUTHORIZED');
    }
    expect((await call('GET', '/api/home', 'forged')).statusCode).toBe(401);
    // Authentication comes before the body is even parsed.
    expect(
      (
        await call('POST', '/api/contents', undefined, '{broken', {
          'content-type': 'application/json',
        })
      ).statusCode,
    ).toBe(401);
    const pending = await call('GET', '/api/home', 'pending');
    expect(pending.statusCode).toBe(403);
    expect(pending.json().error.code).toBe('ACCOUNT_PENDING_APPROVAL');
    const { id } = await create(episode(1));
    for (const [method, url] of [
      ['POST', '/api/contents'],
      ['PATCH', `/api/contents/${id}`],
      ['DELETE', `/api/contents/${id}`],
    ] as const) {
      const res = await call(method, url, 'viewer', method === 'DELETE' ? undefined : episode(99));
      expect(res.statusCode, `${method} ${url}`).toBe(403);
      expect(res.json().error.code).toBe('FORBIDDEN');
    }
    expect((await call('GET', `/api/contents/${id}`, 'viewer')).statusCode).toBe(200);
  });

  it('describes its routes in the OpenAPI document', async () => {
    const doc = (await app.http.inject({ method: 'GET', url: '/docs/json' })).json();
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/api/catalogs',
        '/api/contents',
        '/api/contents/{id}',
        '/api/home',
        '/api/progress/{contentId}',
      ]),
    );
    expect(
      doc.paths['/api/contents'].post.requestBody.content['application/json'].schema.required,
    ).toEqual(expect.arrayContaining(['title', 'catalog', 'media_path']));
  });

  it('creates an item (201, event for the search index), refuses a duplicate path with 409', async () => {
    const res = await call(
      'POST',
      '/api/contents',
      'admin',
      episode(2, {
        description: 'Final table',
        metadata: { year: 2024, event: 'Main Event', day: 7 },
      }),
    );
    expect(res.statusCode).toBe(201);
    const body = res.json();
    expect(body).toMatchObject({
      title: 'Episode 2',
      media_path: 'WSOP/2024/ep-2.mp4',
      metadata: { year: 2024, event: 'Main Event', day: 7 },
      thumbnail_url: null,
    });
    await waitFor(() => seen.content_added.some((p) => p.content_id === body.id), 2000, {
      message: 'content_added',
    });
    expect(seen.content_added.find((p) => p.content_id === body.id)).toEqual({
      content_id: body.id,
      title: 'Episode 2',
      description: 'Final table',
      catalog: 'WSOP',
      duration_seconds: 3600,
      thumbnail_url: null,
      added_at: body.added_at,
    });
    const dup = await call('POST', '/api/contents', 'admin', episode(2, { title: 'Other' }));
    expect(dup.statusCode).toBe(409);
    expect(dup.json().error).toMatchObject({
      code: 'CONTENT_EXISTS',
      details: { content_id: body.id },
    });
  });

  it('shows media_path to admins only: list, detail and home', async () => {
    const { id } = await create(episode(3, { catalog: 'HCL' }));
    const asViewer = (await call('GET', `/api/contents/${id}`, 'viewer')).json();
    expect(asViewer).toMatchObject({ id, title: 'Episode 3', progress: null });
    expect(asViewer).not.toHaveProperty('media_path');
    expect((await call('GET', `/api/contents/${id}`, 'admin')).json().media_path).toBe(
      'WSOP/2024/ep-3.mp4',
    );
    const list = (await call('GET', '/api/contents?limit=100', 'viewer')).json();
    expect(list.items.length).toBeGreaterThan(0);
    expect(list.items.every((c: object) => !('media_path' in c))).toBe(true);
    expect(
      (await call('GET', '/api/contents?limit=100', 'admin'))
        .json()
        .items.every((c: object) => 'media_path' in c),
    ).toBe(true);
    const home = await call('GET', '/api/home', 'viewer');
    expect(home.body).not.toContain('media_path');
    expect(home.body).not.toContain('ep-3.mp4');
    expect(home.json().hero.id).toBe(id);
    expect((await call('GET', '/api/home', 'admin')).json().hero.media_path).toBe(
      'WSOP/2024/ep-3.mp4',
    );
  });

  it('pages the list within 1..100 and filters by catalog name or id', async () => {
    const page = await call('GET', '/api/contents?limit=2&offset=1', 'viewer');
    expect(page.statusCode).toBe(200);
    const body = page.json();
    expect(body).toMatchObject({ limit: 2, offset: 1 });
    expect(body.items).toHaveLength(2);
    expect(body.total).toBeGreaterThanOrEqual(3);
    const all = (await call('GET', '/api/contents', 'viewer')).json();
    expect(all).toMatchObject({ limit: 20, offset: 0 });
    expect(
      (await call('GET', '/api/contents?catalog=&limit=20&offset=0', 'viewer')).json(),
    ).toEqual(all);
    expect((await call('GET', '/api/contents?limit=100', 'viewer')).statusCode).toBe(200);
    for (const q of [
      'limit=101',
      'limit=0',
      'limit=abc',
      'limit=1.5',
      'offset=-1',
      'offset=x',
      `catalog=${'c'.repeat(101)}`,
    ]) {
      const res = await call('GET', `/api/contents?${q}`, 'viewer');
      expect(res.statusCode, q).toBe(400);
      expect(res.json().error.code, q).toBe('VALIDATION_FAILED');
    }
    const hcl = (await call('GET', '/api/contents?catalog=hcl', 'viewer')).json();
    expect(hcl.total).toBe(1);
    expect((await call('GET', '/api/contents?catalog=HCL', 'viewer')).json().total).toBe(1);
    const cats = (await call('GET', '/api/catalogs', 'viewer')).json();
    expect(cats.items).toEqual(
      expect.arrayContaining([{ id: 'hcl', name: 'HCL', content_count: 1 }]),
    );
  });

  it('answers 404 CONTENT_NOT_FOUND for unknown ids', async () => {
    const cases: Array<[Method, string, unknown?]> = [
      ['GET', '/api/contents/nope'],
      ['PATCH', '/api/contents/nope', { title: 'x' }],
      ['DELETE', '/api/contents/nope'],
      ['PUT', '/api/progress/nope', { position_seconds: 1, duration_seconds: 2 }],
      ['GET', '/api/progress/nope'],
    ];
    for (const [method, url, body] of cases) {
      const res = await call(method, url, 'admin', body);
      expect(res.statusCode, `${method} ${url}`).toBe(404);
      expect(res.json().error.code).toBe('CONTENT_NOT_FOUND');
    }
  });

  it('answers bad input with a 4xx, a stable code and a message, never a 500', async () => {
    const { id } = await create(episode(4));
    const cases: Array<[Method, string, unknown, string, number?, Record<string, string>?]> = [
      [
        'POST',
        '/api/contents',
        '{"title": "x",',
        'INVALID_JSON',
        400,
        { 'content-type': 'application/json' },
      ],
      [
        'POST',
        '/api/contents',
        'title=x',
        'UNSUPPORTED_MEDIA_TYPE',
        415,
        { 'content-type': 'application/x-www-form-urlencoded' },
      ],
      ['POST', '/api/contents', { catalog: 'WSOP', media_path: 'WSOP/a.mp4' }, 'VALIDATION_FAILED'],
      ['POST', '/api/contents', { ...episode(5), title: 42 }, 'VALIDATION_FAILED'],
      ['POST', '/api/contents', { ...episode(5), title: 't'.repeat(301) }, 'VALIDATION_FAILED'],
      [
        'POST',
        '/api/contents',
        { ...episode(5), description: 'd'.repeat(5001) },
        'VALIDATION_FAILED',
      ],
      ['POST', '/api/contents', { ...episode(5), duration_seconds: -1 }, 'VALIDATION_FAILED'],
      ['POST', '/api/contents', { ...episode(5), metadata: 'year 2024' }, 'VALIDATION_FAILED'],
      ['POST', '/api/contents', { ...episode(5), is_admin: true }, 'VALIDATION_FAILED'],
      [
        'POST',
        '/api/contents',
        { ...episode(5), media_path: '/mnt/nas/WSOP/a.mp4' },
        'INVALID_MEDIA_PATH',
      ],
      [
        'POST',
        '/api/contents',
        { ...episode(5), media_path: 'WSOP/../../etc/passwd' },
        'INVALID_MEDIA_PATH',
      ],
      ['POST', '/api/contents', { ...episode(5), media_path: 'WSOP\\a.mp4' }, 'INVALID_MEDIA_PATH'],
      // NUL is refused by the platform for every route, before content sees it.
      [
        'POST',
        '/api/contents',
        { ...episode(5), media_path: 'WSOP/a\u0000.mp4' },
        'INVALID_CHARACTERS',
      ],
      [
        'POST',
        '/api/contents',
        { ...episode(5), metadata: { x: 'y'.repeat(20_000) } },
        'METADATA_TOO_LARGE',
      ],
      [
        'POST',
        '/api/contents',
        { ...episode(5), notes: 'z'.repeat(2 * 1024 * 1024) },
        'PAYLOAD_TOO_LARGE',
        413,
      ],
      ['PATCH', `/api/contents/${id}`, { title: '' }, 'VALIDATION_FAILED'],
      ['PATCH', `/api/contents/${id}`, [1, 2], 'VALIDATION_FAILED'],
      ['GET', `/api/contents/${'i'.repeat(65)}`, undefined, 'VALIDATION_FAILED'],
      [
        'PUT',
        `/api/progress/${id}`,
        { position_seconds: -5, duration_seconds: 10 },
        'VALIDATION_FAILED',
      ],
      [
        'PUT',
        `/api/progress/${id}`,
        { position_seconds: '5', duration_seconds: 10 },
        'VALIDATION_FAILED',
      ],
      ['PUT', `/api/progress/${id}`, { position_seconds: 5 }, 'VALIDATION_FAILED'],
      ['PUT', `/api/progress/${id}`, undefined, 'VALIDATION_FAILED'],
    ];
    for (const [method, url, body, code, status = 400, headers] of cases) {
      const res = await call(method, url, 'admin', body, headers);
      const label = `${method} ${url.slice(0, 40)} ${JSON.stringify(body)?.slice(0, 60)}`;
      expect(res.statusCode, label).toBe(status);
      expect(res.json().error.code, label).toBe(code);
      expect(res.json().error.message, label).toEqual(expect.any(String));
      expect(res.json().error.correlation_id, label).toEqual(expect.any(String));
    }
    // nothing changed
    expect((await call('GET', `/api/contents/${id}`, 'admin')).json().title).toBe('Episode 4');
  });

  it('stores SQL-looking strings literally', async () => {
    const evil = {
      title: "x'); DROP TABLE contents; --",
      description: "' OR '1'='1",
      catalog: "WSOP'; --",
      media_path: "WSOP/o'brien; select 1.mp4",
    };
    const made = await create(evil);
    expect((await call('GET', `/api/contents/${made.id}`, 'admin')).json()).toMatchObject(evil);
    expect(
      (
        await call('GET', `/api/contents?catalog=${encodeURIComponent("' OR '1'='1")}`, 'viewer')
      ).json().total,
    ).toBe(0);
    expect(
      (await call('GET', `/api/contents/${encodeURIComponent("' OR 1=1 --")}`, 'viewer'))
        .statusCode,
    ).toBe(404);
    expect((await call('GET', '/api/contents', 'viewer')).json().total).toBeGreaterThan(1);
  });

  it('patches only the fields given, over HTTP and over the contract', async () => {
    const { id } = await create(
      episode(6, { description: 'keep me', thumbnail_url: '/thumbs/6.jpg', metadata: { day: 6 } }),
    );
    const res = await call('PATCH', `/api/contents/${id}`, 'admin', { title: 'Renamed' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      title: 'Renamed',
      description: 'keep me',
      thumbnail_url: '/thumbs/6.jpg',
      metadata: { day: 6 },
      duration_seconds: 3600,
    });
    const viaContract = await client().request('content:v1', 'update_content', {
      content_id: id,
      patch: { duration_seconds: 4000 },
    });
    expect(viaContract).toMatchObject({
      title: 'Renamed',
      description: 'keep me',
      duration_seconds: 4000,
    });
    await waitFor(
      () => seen.content_updated.filter((p) => p.content_id === id).length === 2,
      2000,
      { message: 'two content_updated' },
    );
    expect(seen.content_updated.filter((p) => p.content_id === id).at(-1)).toMatchObject({
      title: 'Renamed',
      duration_seconds: 4000,
    });
  });

  it('saves and reads progress, shows it on the item and in continue watching', async () => {
    const { id } = await create(episode(7));
    expect((await call('GET', `/api/progress/${id}`, 'viewer')).json()).toEqual({ progress: null });
    const put = await call('PUT', `/api/progress/${id}`, 'viewer', {
      position_seconds: 900,
      duration_seconds: 3600,
    });
    expect(put.statusCode).toBe(200);
    expect(put.json()).toMatchObject({
      user_id: 'u1',
      content_id: id,
      position_seconds: 900,
      percent: 25,
      finished: false,
    });
    expect((await call('GET', `/api/progress/${id}`, 'viewer')).json().progress).toMatchObject({
      position_seconds: 900,
      percent: 25,
    });
    // per user
    expect((await call('GET', `/api/progress/${id}`, 'admin')).json()).toEqual({ progress: null });
    expect((await call('GET', `/api/contents/${id}`, 'viewer')).json().progress).toMatchObject({
      percent: 25,
    });
    const cw = (await call('GET', '/api/home', 'viewer')).json().rows[0];
    expect(cw.id).toBe('continue_watching');
    expect(cw.items[0]).toMatchObject({ id, progress: { position_seconds: 900, percent: 25 } });
    expect(cw.items[0]).not.toHaveProperty('media_path');
    await waitFor(() => seen.progress_updated.some((p) => p.content_id === id), 2000, {
      message: 'progress_updated',
    });
    await call('PUT', `/api/progress/${id}`, 'viewer', {
      position_seconds: 3590,
      duration_seconds: 3600,
    });
    expect(
      (await call('GET', '/api/home', 'viewer'))
        .json()
        .rows[0].items.some((c: { id: string }) => c.id === id),
    ).toBe(false);
  });

  it('deletes an item (204, event), then it is gone', async () => {
    const { id, media_path } = await create(episode(8));
    const res = await call('DELETE', `/api/contents/${id}`, 'admin');
    expect(res.statusCode).toBe(204);
    expect((await call('GET', `/api/contents/${id}`, 'admin')).statusCode).toBe(404);
    await waitFor(
      () => seen.content_deleted.some((p) => p.content_id === id && p.media_path === media_path),
      2000,
      { message: 'content_deleted' },
    );
    expect(await client().request('content:v1', 'delete_content', { content_id: id })).toEqual({
      deleted: false,
    });
  });

  it('serves the contract: idempotent create, lookups, plays, LIKE search, thumbnails from the worker', async () => {
    const c = client();
    const first = await c.request('content:v1', 'create_content', {
      title: 'Scanned',
      catalog: 'PAD',
      media_path: 'PAD/s1/scanned.mp4',
    });
    const second = await c.request('content:v1', 'create_content', {
      title: 'Scanned again',
      catalog: 'PAD',
      media_path: 'PAD/s1/scanned.mp4',
    });
    expect(second).toEqual(first);
    expect(first.description).toBe('');
    expect(
      await c.request('content:v1', 'content_exists_by_path', { media_path: 'PAD/s1/scanned.mp4' }),
    ).toEqual({ exists: true, content_id: first.id });
    expect(await c.request('content:v1', 'get_content', { content_id: 'nope' })).toBeNull();
    expect(
      await c.request('content:v1', 'record_play', { user_id: 'u1', content_id: first.id }),
    ).toEqual({ plays_last_24h: 1 });
    const found = await c.request('content:v1', 'find_by_text', {
      query: 'SCANNED',
      catalog: 'pad',
    });
    expect(found).toMatchObject({ total: 1, results: [{ score: 1, content: { id: first.id } }] });
    await expect(
      c.request('content:v1', 'create_content', {
        title: 'x',
        catalog: 'PAD',
        media_path: '/abs.mp4',
      }),
    ).rejects.toMatchObject({ code: 'INVALID_MEDIA_PATH' });
    await expect(c.request('content:v1', 'list_contents', { limit: 500 })).rejects.toMatchObject({
      code: 'INVALID_PAYLOAD',
    });
    await app.orchestrator.client('worker').publish('thumbnail_generated', {
      content_id: first.id,
      thumbnail_url: '/thumbs/scanned.jpg',
    });
    await waitFor(
      async () =>
        (await c.request('content:v1', 'get_content', { content_id: first.id }))?.thumbnail_url ===
        '/thumbs/scanned.jpg',
      2000,
      { message: 'thumbnail set' },
    );
  });

  describe('with 1,000 items', () => {
    it('answers /api/home in well under 200 ms once cached', async () => {
      const c = client();
      const catalogs = ['WSOP', 'HCL', 'PAD', 'GG Millions', 'EPT'];
      const made: string[] = [];
      for (let i = 0; i < 1000; i++) {
        const item = await c.request('content:v1', 'create_content', {
          title: `Bulk ${i}`,
          description: `Day ${i % 7}`,
          catalog: catalogs[i % 5],
          media_path: `${catalogs[i % 5]}/bulk/${i}.mp4`,
          duration_seconds: 3600,
          thumbnail_url: `/thumbs/${i}.jpg`,
        });
        made.push(item.id);
      }
      for (let i = 0; i < 200; i++)
        await c.request('content:v1', 'record_play', {
          user_id: `u${i % 9}`,
          content_id: made[i % 40],
        });
      for (let i = 0; i < 30; i++)
        await call('PUT', `/api/progress/${made[i]}`, 'viewer', {
          position_seconds: 60,
          duration_seconds: 3600,
        });

      const timed = async () => {
        const t = performance.now();
        const res = await call('GET', '/api/home', 'viewer');
        expect(res.statusCode).toBe(200);
        return { ms: performance.now() - t, body: res.json() };
      };
      const cold = await timed();
      const warm: number[] = [];
      for (let i = 0; i < 50; i++) warm.push((await timed()).ms);
      warm.sort((a, b) => a - b);
      const p50 = warm[25];
      const p95 = warm[47];
      console.log(
        `[${target.name}] /api/home with 1,000 items: uncached ${cold.ms.toFixed(1)} ms, cached p50 ${p50.toFixed(1)} ms, p95 ${p95.toFixed(1)} ms, max ${warm.at(-1)!.toFixed(1)} ms`,
      );
      expect(p95).toBeLessThan(200);
      const rows = cold.body.rows as Array<{ id: string; items: unknown[] }>;
      expect(rows.find((r) => r.id === 'continue_watching')!.items).toHaveLength(10);
      expect(rows.find((r) => r.id === 'trending')!.items).toHaveLength(10);
      expect(rows.find((r) => r.id === 'new_releases')!.items).toHaveLength(20);
      expect(rows.find((r) => r.id === 'catalog:gg-millions')!.items).toHaveLength(20);
    });
  });

  describe('when another block is down', () => {
    it('auth down: a recently validated token still reads; writes answer 503 READ_ONLY', async () => {
      const { id } = await create(episode(9));
      expect((await call('GET', '/api/home', 'viewer')).statusCode).toBe(200);
      await app.orchestrator.stopBlock('auth');
      try {
        const read = await call('GET', `/api/contents/${id}`, 'viewer');
        expect(read.statusCode).toBe(200);
        expect((await call('GET', '/api/home', 'viewer')).statusCode).toBe(200);
        for (const [method, url, token, body] of [
          ['PUT', `/api/progress/${id}`, 'viewer', { position_seconds: 10, duration_seconds: 100 }],
          ['POST', '/api/contents', 'admin', episode(10)],
          ['PATCH', `/api/contents/${id}`, 'admin', { title: 'nope' }],
        ] as const) {
          const res = await call(method, url, token, body);
          expect(res.statusCode, `${method} ${url}`).toBe(503);
          expect(res.json().error.code).toBe('READ_ONLY');
        }
        expect((await call('GET', '/api/home', 'never-seen')).json().error.code).toBe(
          'AUTH_UNAVAILABLE',
        );
        expect((await call('GET', '/api/home', 'pending')).json().error.code).toBe(
          'ACCOUNT_PENDING_APPROVAL',
        ); // the kept answer still says pending
      } finally {
        await app.orchestrator.restartBlock('auth');
      }
      expect(
        (
          await call('PUT', `/api/progress/${id}`, 'viewer', {
            position_seconds: 10,
            duration_seconds: 100,
          })
        ).statusCode,
      ).toBe(200);
    });

    it('content down: callers get BLOCK_UNAVAILABLE, then CIRCUIT_OPEN; its routes answer 503; it comes back', async () => {
      await app.stopBlock('content');
      try {
        await expect(client().request('content:v1', 'get_catalogs', {})).rejects.toMatchObject({
          code: 'BLOCK_UNAVAILABLE',
        });
        for (let i = 0; i < 5; i++)
          await client()
            .request('content:v1', 'get_catalogs', {})
            .catch(() => {});
        await expect(client().request('content:v1', 'get_catalogs', {})).rejects.toMatchObject({
          code: 'CIRCUIT_OPEN',
        });
        const res = await call('GET', '/api/catalogs', 'viewer');
        expect(res.statusCode).toBe(503);
        expect(res.json().error.code).toBe('BLOCK_UNAVAILABLE');
      } finally {
        await app.restartBlock('content');
      }
      expect((await client().request('content:v1', 'get_catalogs', {})).length).toBeGreaterThan(0);
      // The restarted instance serves the same HTTP routes again.
      const after = await call('GET', '/api/catalogs', 'viewer');
      expect(after.statusCode).toBe(200);
      expect(after.json().items.length).toBeGreaterThan(0);
    });
  });
});
