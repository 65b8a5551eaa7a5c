/**
 * /api/search keeps answering when the search block cannot: the gateway falls back to the
 * content block's LIKE search (`engine: "database"`), and answers 503 only when both are down.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authV1, mockBlock, type User } from '../../src/orchestration/index.ts';
import { buildApp, type App } from '../../src/app/server.ts';
import { loadConfig } from '../../src/app/config.ts';
import content from '../../src/blocks/content/index.ts';
import search from '../../src/blocks/search/index.ts';
import { waitFor } from '../support/wait.ts';
import { memoryLogger } from '../support/logs.ts';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const now = new Date().toISOString();
const viewer: User = {
  id: 'u1',
  email: 'u1@x.test',
  username: 'u1',
  full_name: null,
  role: 'user',
  status: 'active',
  status_reason: null,
  created_at: now,
  approved_at: now,
  last_login_at: null,
};
const auth = mockBlock(
  'auth:v1',
  {
    validate_token: ({ token }) =>
      token === 'viewer'
        ? {
            user: viewer,
            session_id: 's1',
            expires_at: new Date(Date.now() + 3600_000).toISOString(),
          }
        : null,
  },
  Object.keys(authV1.actions),
);

describe('search gateway without the search block', () => {
  let app: App;
  const get = (url: string) =>
    app.http.inject({ method: 'GET', url, headers: { authorization: 'Bearer viewer' } });

  beforeAll(async () => {
    app = await buildApp(
      loadConfig({ WSOPTV_DATA_DIR: mkdtempSync(join(tmpdir(), 'wsoptv-gw-')) }),
      memoryLogger().logger,
      [content, auth.manifest],
    );
    const c = app.orchestrator.client('worker');
    await c.request('content:v1', 'create_content', {
      title: 'Main Event Day 1',
      catalog: 'WSOP',
      media_path: 'WSOP/me1.mp4',
      duration_seconds: 3600,
      description: 'Negreanu at the feature table',
    });
    await c.request('content:v1', 'create_content', {
      title: 'High Roller',
      catalog: 'WSOP',
      media_path: 'WSOP/hr.mp4',
      duration_seconds: 1800,
      description: 'main event qualifier recap',
    });
    await c.request('content:v1', 'create_content', {
      title: 'Cash Game Episode 3',
      catalog: 'HCL',
      media_path: 'HCL/e3.mp4',
      duration_seconds: 5400,
    });
  });
  afterAll(() => app.close());

  it('answers from the database with scores and paging, and says so', async () => {
    const res = await get('/api/search?q=main%20event');
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json();
    expect(body.engine).toBe('database');
    expect(body.total).toBe(2);
    expect(body.results.map((r: { title: string }) => r.title)).toEqual([
      'Main Event Day 1',
      'High Roller',
    ]);
    expect(body.results[0].score).toBeGreaterThan(body.results[1].score);
    expect(body).toMatchObject({ page: 1, pages: 1, query: 'main event' });
    const filtered = (await get('/api/search?q=main&max_duration=2000')).json();
    expect(filtered.results.map((r: { title: string }) => r.title)).toEqual(['High Roller']);
    const suggest = (await get('/api/search/suggest?q=cash')).json();
    expect(suggest).toMatchObject({
      engine: 'database',
      suggestions: [{ title: 'Cash Game Episode 3' }],
    });
  });

  it('refuses a query shorter than 2 characters and an oversized limit', async () => {
    const short = await get('/api/search?q=a');
    expect(short.statusCode).toBe(400);
    expect(short.json().error.code).toBe('QUERY_TOO_SHORT');
    expect((await get('/api/search?q=main&limit=101')).statusCode).toBe(400);
    expect((await app.http.inject({ method: 'GET', url: '/api/search?q=main' })).statusCode).toBe(
      401,
    );
  });

  it('answers 503 only when content is down too', async () => {
    await app.stopBlock('content');
    try {
      const res = await get('/api/search?q=main');
      expect(res.statusCode).toBe(503);
      expect(res.json().error.code).toMatch(/BLOCK_UNAVAILABLE|CIRCUIT_OPEN/);
    } finally {
      await app.restartBlock('content');
    }
    expect((await get('/api/search?q=main')).statusCode).toBe(200);
  });
});

describe('search gateway with the search block', () => {
  let app: App;
  const get = (url: string) =>
    app.http.inject({ method: 'GET', url, headers: { authorization: 'Bearer viewer' } });

  beforeAll(async () => {
    app = await buildApp(
      loadConfig({ WSOPTV_DATA_DIR: mkdtempSync(join(tmpdir(), 'wsoptv-gw2-')) }),
      memoryLogger().logger,
      [content, search, auth.manifest],
    );
    const c = app.orchestrator.client('worker');
    await c.request('content:v1', 'create_content', {
      title: 'Main Event Final Table',
      catalog: 'WSOP',
      media_path: 'WSOP/ft.mp4',
      duration_seconds: 3600,
    });
    await c.request('content:v1', 'create_content', {
      title: 'Daniel Negreanu Profile',
      catalog: 'WSOP',
      media_path: 'WSOP/dn.mp4',
      duration_seconds: 900,
    });
  });
  afterAll(() => app.close());

  it('finds typos through the index, and falls back to the database with the search block stopped', async () => {
    await waitFor(async () => (await get('/api/search?q=main%20evnet')).json().total === 1, 5000, {
      intervalMs: 50,
    });
    const typo = (await get('/api/search?q=main%20evnet')).json();
    expect(typo.engine).not.toBe('database');
    expect(typo.results[0].title).toBe('Main Event Final Table');
    expect((await get('/api/search?q=negranu')).json().results[0].title).toBe(
      'Daniel Negreanu Profile',
    );
    await app.stopBlock('search');
    try {
      const fallback = (await get('/api/search?q=final%20table')).json();
      expect(fallback.engine).toBe('database');
      expect(fallback.results[0].title).toBe('Main Event Final Table');
    } finally {
      await app.restartBlock('search');
    }
  });
});
