/**
 * The worker's HTTP route and contract in a host with auth and content mocks: public thumbnails
 * (caching headers, 304, 404, confinement), no admin routes of its own (the admin block serves
 * them over worker:v1), the calls the admin block makes, and what callers see while the worker
 * block is down.
 */
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabaseFor } from '../../../platform/database/index.ts';
import { waitFor } from '../../../../test/support/wait.ts';
import { SqlQueue, type QueueDB } from '../../../platform/queue/sql.ts';
import { dirs, startWorkerHost, workerEnv, type WorkerHost } from './helpers.ts';

describe('worker over HTTP', () => {
  const d = dirs();
  let host: WorkerHost;
  const call = (
    method: 'GET' | 'POST',
    url: string,
    token?: string,
    headers: Record<string, string> = {},
  ) =>
    host.app.http.inject({
      method,
      url,
      headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers },
    });
  beforeAll(async () => {
    host = await startWorkerHost(workerEnv(d));
    mkdirSync(d.thumbs, { recursive: true });
    mkdirSync(d.library, { recursive: true });
  });
  afterAll(() => host?.app.close());

  it('serves a thumbnail without a token, with Cache-Control and an ETag that answers 304', async () => {
    const jpeg = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3, 0xff, 0xd9]);
    writeFileSync(join(d.thumbs, '0b7c4b1e-5d2a-4c55-9f1e-1a2b3c4d5e6f.jpg'), jpeg);
    const res = await call('GET', '/api/thumbnails/0b7c4b1e-5d2a-4c55-9f1e-1a2b3c4d5e6f.jpg');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('image/jpeg');
    expect(res.headers['cache-control']).toBe('public, max-age=3600');
    expect(res.rawPayload.equals(jpeg)).toBe(true);
    const etag = String(res.headers.etag);
    expect(etag).toMatch(/^"[0-9a-z]+-[0-9a-z]+"$/);
    const again = await call(
      'GET',
      '/api/thumbnails/0b7c4b1e-5d2a-4c55-9f1e-1a2b3c4d5e6f.jpg',
      undefined,
      { 'if-none-match': `W/"other", ${etag}` },
    );
    expect(again.statusCode).toBe(304);
    expect(again.body).toBe('');
  });

  it('answers 404 for unknown ids and never leaves the thumbnail folder', async () => {
    writeFileSync(join(d.root, 'secret.jpg'), 'top secret');
    symlinkSync(join(d.root, 'secret.jpg'), join(d.thumbs, 'escape.jpg'));
    for (const url of [
      '/api/thumbnails/nothing-here.jpg',
      '/api/thumbnails/..%2Fsecret.jpg',
      '/api/thumbnails/%2e%2e.jpg',
      '/api/thumbnails/escape.jpg',
    ]) {
      const res = await call('GET', url);
      expect(res.statusCode, url).toBe(404);
      expect(res.json().error.code, url).toBe('THUMBNAIL_NOT_FOUND');
      expect(res.body).not.toContain('top secret');
    }
    // A NUL is refused by the platform for every route (400), before the block sees the path.
    const nul = await call('GET', '/api/thumbnails/a%00b.jpg');
    expect(nul.statusCode).toBe(400);
    expect(nul.json().error.code).toBe('INVALID_CHARACTERS');
    expect((await call('GET', '/api/thumbnails/0b7c4b1e')).statusCode).toBe(404);
  });

  it("declares no /api/admin routes: job administration over HTTP is the admin block's (audited)", async () => {
    const doc = (await host.app.http.inject({ method: 'GET', url: '/docs/json' })).json();
    expect(Object.keys(doc.paths)).toContain('/api/thumbnails/{contentId}.jpg');
    expect(Object.keys(doc.paths).filter((p) => p.startsWith('/api/admin'))).toEqual([]);
    expect((await call('GET', '/api/admin/jobs', 'admin')).statusCode).toBe(404);
  });

  it('serves what the admin block asks through worker:v1: a scan with who asked, the failed list, retry', async () => {
    const scan = await host.client.request('worker:v1', 'enqueue', {
      type: 'library_scan',
      priority: 'high',
      payload: { requested_by: 'a1' },
    });
    expect(scan).toMatchObject({
      type: 'library_scan',
      priority: 'high',
      payload: { requested_by: 'a1' },
    });
    await host.until(scan.id);
    const doomed = await host.client.request('worker:v1', 'enqueue', {
      type: 'probe',
      payload: { content_id: 'no-such-item' },
    });
    await host.until(doomed.id, 'failed');
    const failed = await host.client.request('worker:v1', 'list_jobs', {
      status: 'failed',
      limit: 10,
    });
    expect(failed).toMatchObject({
      total: 1,
      items: [{ id: doomed.id, attempts: 1, error: expect.stringContaining('CONTENT_NOT_FOUND') }],
    });
    expect(
      await host.client.request('worker:v1', 'retry_job', { job_id: doomed.id }),
    ).toMatchObject({ id: doomed.id, attempts: 0 });
    await waitFor(
      async () =>
        (await host.client.request('worker:v1', 'get_job', { job_id: doomed.id }))?.attempts === 1,
      5000,
    );
    await host.until(doomed.id, 'failed'); // the item is still missing
    await expect(
      host.client.request('worker:v1', 'retry_job', { job_id: scan.id }),
    ).rejects.toMatchObject({ code: 'JOB_NOT_RETRYABLE' });
    await expect(
      host.client.request('worker:v1', 'retry_job', { job_id: 'nope' }),
    ).rejects.toMatchObject({ code: 'JOB_NOT_FOUND' });
    expect(await host.client.request('worker:v1', 'get_queue_stats', {})).toMatchObject({
      failed: 1,
      processing: 0,
    });
  });
});

describe('worker down', () => {
  it('callers get BLOCK_UNAVAILABLE; jobs already queued wait and run once the worker is back', async () => {
    const d = dirs();
    const host = await startWorkerHost(workerEnv(d));
    try {
      await host.app.stopBlock('worker');
      await expect(
        host.client.request('worker:v1', 'enqueue', { type: 'cleanup' }),
      ).rejects.toMatchObject({ code: 'BLOCK_UNAVAILABLE' });
      expect(
        (await host.app.http.inject({ method: 'GET', url: '/api/thumbnails/x.jpg' })).statusCode,
      ).toBe(503);
      // Meanwhile another process (or the previous life of this one) left a job in the store.
      const db = await openDatabaseFor<QueueDB>(
        { dataDir: d.data, dbSchemaPrefix: 'wsoptv' },
        'worker',
      );
      const waiting = await new SqlQueue(db.db, {
        concurrency: 1,
        timeoutMs: 1000,
        backoffBaseMs: 10,
        leaseMs: 1000,
        pollMs: 10,
      }).add({ type: 'cleanup', payload: {}, priority: 'urgent' });
      await db.close();
      await host.app.restartBlock('worker');
      expect(await host.until(waiting.id)).toMatchObject({ status: 'completed', attempts: 1 });
    } finally {
      await host.app.close();
    }
  });
});
