/**
 * What happens around the bytes: a client that goes away (the file is closed), a slow client
 * (backpressure, bounded memory), the cache block stopped (NAS fallback with local slot limits),
 * and X-Accel-Redirect mode, checked through a real nginx when it is installed.
 */
import { copyFileSync, mkdirSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeWithFfmpeg } from '../../../../test/support/media.ts';
import { waitFor } from '../../../../test/support/wait.ts';
import {
  BIG,
  BIG_SIZE,
  bearer,
  fetchRaw,
  MOVIE,
  openFds,
  startStreamHost,
  type StreamHost,
} from './helpers.ts';
import { NGINX, nginxInstalled, startNginx } from './nginx.ts';

/** `it` when nginx is installed; under CI its absence fails, elsewhere the test skips loudly. */
export function itWithNginx(name: string, fn: () => Promise<void>, timeoutMs?: number): void {
  if (nginxInstalled) it(name, fn, timeoutMs);
  else if (process.env.CI === 'true')
    it(name, () => {
      throw new Error(
        `nginx is not installed at ${NGINX} and CI=true: install the Debian package nginx`,
      );
    });
  else {
    console.warn(`\n⚠ nginx is not installed at ${NGINX}: SKIPPING "${name}"\n`);
    it.skip(name, fn);
  }
}

const error = (r: { body: Buffer }) => JSON.parse(r.body.toString()).error;
const streams = (h: StreamHost) =>
  h.app.orchestrator.client('admin').request('stream:v1', 'get_active_streams', {});

describeWithFfmpeg('stream: the bytes under pressure', () => {
  let h: StreamHost;
  beforeAll(async () => {
    h = await startStreamHost({
      WSOPTV_BREAKER_HALF_OPEN_MS: '50',
      WSOPTV_HEALTH_INTERVAL_MS: '50',
      WSOPTV_STREAM_IDLE_MS: '1000',
    });
  });
  afterAll(() => h?.close());

  /**
   * Starts a GET of the big file and resolves once the first bytes arrived; the body is not read
   * further.
   */
  const startBig = (token: string) =>
    new Promise<{ res: import('node:http').IncomingMessage; destroy: () => void }>(
      (resolve, reject) => {
        const req = request(
          `${h.base}/api/stream/big`,
          { headers: bearer(token), agent: false },
          (res) => {
            res.once('data', () => {
              res.pause();
              resolve({ res, destroy: () => req.destroy() });
            });
          },
        );
        req.on('error', () => {});
        req.once('error', reject);
        req.end();
      },
    );

  it('a client that goes away closes the file and ends its response', async () => {
    const path = join(h.library, BIG);
    expect(openFds(path)).toBe(0);
    const { destroy } = await startBig('alice');
    expect(openFds(path)).toBe(1);
    destroy();
    await waitFor(() => openFds(path) === 0, 2000, {
      message: 'file closed after the client went away',
    });
  });

  it('a slow client is served with backpressure: memory per stream stays bounded', async () => {
    const { res, destroy } = await startBig('bob');
    expect(res.headers['content-length']).toBe(String(BIG_SIZE));
    await new Promise((r) => setTimeout(r, 300));
    const [s] = (await streams(h)).filter((x) => x.user_id === 'bob');
    // Only what the socket buffers hold plus one 1 MiB read has left the file, not 64 MiB.
    expect(s.bytes_sent).toBeLessThan(16 * 1024 * 1024);
    const before = s.bytes_sent;
    await new Promise((r) => setTimeout(r, 1100)); // longer than idleMs
    expect((await streams(h)).find((x) => x.user_id === 'bob')!.bytes_sent).toBe(before);
    // A session with a response in flight does not idle out (idleMs is 1 s here).
    expect((await streams(h)).some((x) => x.user_id === 'bob')).toBe(true);
    destroy();
    await waitFor(() => openFds(join(h.library, BIG)) === 0, 2000);
  });

  it('with auth down, a signed URL still plays on its signature (its session cannot be checked)', async () => {
    const { url } = await h.info('movie3', 'carol');
    await h.app.stopBlock('auth');
    try {
      expect((await h.get(url, { range: 'bytes=0-9' })).status).toBe(206);
      expect(
        h.lines.some((l) => l.msg === 'auth unavailable: media token accepted on its signature'),
      ).toBe(true);
      // Bearer requests fall back to the sessions auth validated recently (the platform's read-only
      // mode).
      expect(
        (await h.get('/api/stream/movie3', { ...bearer('carol'), range: 'bytes=0-9' })).status,
      ).toBe(206);
      expect(
        (await h.get('/api/stream/movie3', { ...bearer('dave'), range: 'bytes=0-9' })).status,
      ).toBe(503);
    } finally {
      await h.app.restartBlock('auth');
    }
  });

  describe('with the cache block stopped', () => {
    beforeAll(async () => {
      await waitFor(async () => (await streams(h)).length === 0, 3000, {
        message: 'earlier sessions idled out',
      });
      await h.app.stopBlock('cache');
    });

    it('plays from the NAS through the content database, degraded', async () => {
      const lookups = h.content.callsOf('get_content').length;
      const r = await h.get('/api/stream/movie', { ...bearer('alice'), range: 'bytes=100-199' });
      expect(r.status).toBe(206);
      expect(r.body.equals(h.movie.subarray(100, 200))).toBe(true);
      expect(h.content.callsOf('get_content').length).toBeGreaterThan(lookups);
      expect((await streams(h)).find((s) => s.user_id === 'alice')).toMatchObject({
        content_id: 'movie',
        tier: 'nas',
      });
      expect(h.lines.some((l) => String(l.msg).includes('DEGRADED'))).toBe(true);
      await waitFor(
        () =>
          h.app.orchestrator.localBlocks().find((b) => b.info.id === 'stream')!.info.status ===
          'degraded',
        2000,
      );
      const info = await h.info('movie');
      expect(info.tier).toBe('nas');
      expect((await h.get(info.url, { range: 'bytes=0-1' })).status).toBe(206);
    });

    it('enforces the slot limits locally: the 4th playback of a user is refused', async () => {
      const urls = await Promise.all(
        ['movie2', 'movie3', 'movie4', 'big'].map((c) => h.info(c, 'carol')),
      );
      for (const { url } of urls.slice(0, 3))
        expect((await h.get(url, { range: 'bytes=0-0' })).status).toBe(206);
      const r = await h.get(urls[3].url, { range: 'bytes=0-0' });
      expect(r.status).toBe(429);
      expect(error(r).message).toMatch(/per user \(3\).*queue position 1/);
      // Asking again keeps the place; another refused playback of the same user queues behind.
      const again = await h.info('big', 'carol');
      expect(error(await h.get(again.url)).details.queue_position).toBe(2);
      expect(error(await h.get(urls[3].url)).details.queue_position).toBe(1);
      // Released slots are reusable at once.
      expect((await h.get(urls[0].url.replace('?', '/stop?'), {}, 'POST')).status).toBe(204);
      expect((await h.get(urls[3].url, { range: 'bytes=0-0' })).status).toBe(206);
    });

    it('404 for unknown content and 503 for a file missing from the NAS', async () => {
      expect((await h.get('/api/stream/nope', bearer('bob'))).status).toBe(404);
      const r = await h.get('/api/stream/orphan', bearer('bob'));
      expect(r.status).toBe(503);
      expect(error(r)).toMatchObject({
        code: 'FILE_UNAVAILABLE',
        message: expect.stringMatching(/missing from the library/),
      });
    });

    it('goes back to the cache once it is running again', async () => {
      await h.app.restartBlock('cache');
      const before = h.cache.callsOf('get_stream_path').length;
      await waitFor(
        async () =>
          (await h.get('/api/stream/movie2', { ...bearer('bob'), range: 'bytes=0-0' })).status ===
            206 && h.cache.callsOf('get_stream_path').length > before,
        3000,
      );
      expect(h.lines.some((l) => String(l.msg).startsWith('cache is back'))).toBe(true);
      await waitFor(
        () =>
          h.app.orchestrator.localBlocks().find((b) => b.info.id === 'stream')!.info.status ===
          'healthy',
        2000,
      );
    });
  });
});

describeWithFfmpeg('stream: X-Accel-Redirect mode', () => {
  let h: StreamHost;
  beforeAll(async () => {
    h = await startStreamHost({ WSOPTV_ACCEL_REDIRECT_PREFIX: '/internal-media/' });
  });
  afterAll(() => h?.close());

  it('answers with the internal location after the same checks, and sends no bytes', async () => {
    expect((await h.get('/api/stream/movie')).status).toBe(401);
    expect((await h.get('/api/stream/nope', bearer('alice'))).status).toBe(404);
    const r = await h.get('/api/stream/movie', { ...bearer('alice'), range: 'bytes=0-1' });
    expect(r.status).toBe(200);
    expect(r.headers['x-accel-redirect']).toBe(
      '/internal-media/nas/WSOP/2024/Main%20Event%20Day%201.mp4',
    );
    expect(r.body.length).toBe(0);
    expect(h.cache.slots.size).toBe(1);
    expect(
      (await h.get('/api/stream/movie', bearer('alice'), 'HEAD')).headers['x-accel-redirect'],
    ).toBe(r.headers['x-accel-redirect']);
  });

  it('points at the SSD location for a cached copy, relative to the directory the cache reports', async () => {
    const ssd = join(h.dataDir, 'ssd');
    mkdirSync(join(ssd, 'WSOP/2024'), { recursive: true });
    copyFileSync(h.moviePath, join(ssd, MOVIE));
    h.cache.state.ssdDir = ssd;
    try {
      const r = await h.get('/api/stream/movie', bearer('carol'));
      expect(r.status).toBe(200);
      expect(r.headers['x-accel-redirect']).toBe(
        '/internal-media/ssd/WSOP/2024/Main%20Event%20Day%201.mp4',
      );
    } finally {
      h.cache.state.ssdDir = undefined;
    }
  });

  itWithNginx('behind a real nginx with the documented configuration, Range and all', async () => {
    const nginx = await startNginx(
      () => `
    location /api/ { proxy_pass ${h.base}; proxy_http_version 1.1; proxy_set_header Connection ""; }
    location /internal-media/nas/ { internal; alias ${h.library}/; }`,
    );
    try {
      const url = `http://127.0.0.1:${nginx.port}/api/stream/movie`;
      const part = await fetchRaw(url, { ...bearer('bob'), range: 'bytes=10-19' });
      expect(part.status).toBe(206);
      expect(part.headers['content-range']).toBe(`bytes 10-19/${h.movie.length}`);
      expect(part.body.equals(h.movie.subarray(10, 20))).toBe(true);
      const whole = await fetchRaw(url, bearer('bob'));
      expect(whole.status).toBe(200);
      expect(whole.body.equals(h.movie)).toBe(true);
      expect(whole.headers['content-type']).toBe('video/mp4');
      expect((await fetchRaw(url)).status).toBe(401);
      // The internal location cannot be asked for directly.
      expect(
        (await fetchRaw(`http://127.0.0.1:${nginx.port}/internal-media/nas/${encodeURI(MOVIE)}`))
          .status,
      ).toBe(404);
    } finally {
      await nginx.stop();
    }
  });
});
