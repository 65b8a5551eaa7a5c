/**
 * Who may play and how many: bearer and signed media URLs (tampered, expired, other content,
 * revoked by logout or suspension), 401/403/404/429/503, playback sessions and slots, events,
 * the admin contract, and the block being down. Real socket, mocks of the other blocks.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { describeWithFfmpeg } from '../../../../test/support/media.ts';
import { waitFor } from '../../../../test/support/wait.ts';
import { bearerPlayback } from '../access.ts';
import { bearer, startStreamHost, type StreamHost } from './helpers.ts';

const code = (r: { body: Buffer }) => JSON.parse(r.body.toString()).error;

describeWithFfmpeg('stream: access, slots and events', () => {
  let h: StreamHost;
  beforeAll(async () => {
    h = await startStreamHost(
      { WSOPTV_STREAM_IDLE_MS: '1000', WSOPTV_MEDIA_URL_TTL_S: '60' },
      { perUser: 3, total: 5 },
    );
  });
  afterAll(() => h?.close());
  afterEach(async () => {
    // Every test starts with no playback: let the sessions idle out.
    await waitFor(
      async () =>
        (await h.app.orchestrator.client('admin').request('stream:v1', 'get_active_streams', {}))
          .length === 0,
      5000,
      { message: 'sessions idled out' },
    );
    h.cache.state.down = false;
    h.content.state.recordFails = false;
  });

  describe('bearer', () => {
    it('401 without a token, with a bad token; 403 for a user not active', async () => {
      const none = await h.get('/api/stream/movie');
      expect(none.status).toBe(401);
      expect(code(none).code).toBe('UNAUTHORIZED');
      const bad = await h.get('/api/stream/movie', bearer('forged'));
      expect(bad.status).toBe(401);
      const pending = await h.get('/api/stream/movie', bearer('pending'));
      expect(pending.status).toBe(403);
      expect(code(pending).code).toBe('ACCOUNT_PENDING_APPROVAL');
      expect(h.cache.slots.size).toBe(0);
    });

    it('404 for unknown content, before any slot is taken', async () => {
      const r = await h.get('/api/stream/nope', bearer('alice'));
      expect(r.status).toBe(404);
      expect(code(r).code).toBe('CONTENT_NOT_FOUND');
      expect(h.cache.slots.size).toBe(0);
      await waitFor(() => h.events.stream_error.some((e) => e.code === 'CONTENT_NOT_FOUND'), 1000);
    });

    it('503 when the file cannot be read (NAS unreachable, file missing), and the slot is given back', async () => {
      h.cache.state.down = 'unavailable';
      const r = await h.get('/api/stream/movie2', bearer('bob'));
      expect(r.status).toBe(503);
      expect(code(r).code).toBe('FILE_UNAVAILABLE');
      expect(code(r).message).toMatch(/NAS does not answer/);
      h.cache.state.down = 'missing';
      const m = await h.get('/api/stream/movie2', bearer('bob'));
      expect(m.status).toBe(503);
      expect(code(m).message).toMatch(/missing/);
      expect(h.cache.slots.size).toBe(0);
      await waitFor(
        () =>
          h.events.stream_error.filter((e) => e.code === 'FILE_UNAVAILABLE' && e.user_id === 'bob')
            .length === 2,
        1000,
      );
    });

    it('HEAD needs the same rights but starts no playback and takes no slot', async () => {
      expect((await h.get('/api/stream/movie3', {}, 'HEAD')).status).toBe(401);
      const r = await h.get('/api/stream/movie3', bearer('bob'), 'HEAD');
      expect(r.status).toBe(200);
      expect(r.headers['content-length']).toBe(String(h.movie.length));
      expect(h.cache.slots.size).toBe(0);
      expect((await h.get('/api/stream/nope', bearer('bob'), 'HEAD')).status).toBe(404);
    });

    it('one viewer, one video: a playback session derived from (auth session, content)', async () => {
      for (let i = 0; i < 5; i++)
        expect(
          (
            await h.get('/api/stream/movie', {
              ...bearer('alice'),
              range: `bytes=${i * 10}-${i * 10 + 9}`,
            })
          ).status,
        ).toBe(206);
      const streams = await h.app.orchestrator
        .client('admin')
        .request('stream:v1', 'get_active_streams', {});
      expect(streams).toHaveLength(1);
      expect(streams[0]).toMatchObject({
        session_id: bearerPlayback('sess-alice', 'movie'),
        user_id: 'alice',
        content_id: 'movie',
        tier: 'nas',
        bytes_sent: 50,
      });
      // Another device of the same user is another playback.
      await h.get('/api/stream/movie', { ...bearer('alice2'), range: 'bytes=0-9' });
      expect(h.cache.slots.size).toBe(2);
    });
  });

  describe('signed media URLs', () => {
    it('/info needs a bearer token and answers a signed URL with what the player needs', async () => {
      expect((await h.get('/api/stream/movie/info')).status).toBe(401);
      expect((await h.get('/api/stream/movie/info', bearer('pending'))).status).toBe(403);
      expect((await h.get('/api/stream/nope/info', bearer('alice'))).status).toBe(404);
      const info = await h.info('movie');
      expect(info).toMatchObject({
        duration_seconds: 4,
        size: h.movie.length,
        mime_type: 'video/mp4',
        codecs: 'avc1.42c01e, mp4a.40.2',
        tier: 'nas',
      });
      expect(info.url).toMatch(/^\/api\/stream\/movie\?st=[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
      const ttl = Date.parse(info.expires_at) - Date.now();
      expect(ttl).toBeGreaterThan(55_000);
      expect(ttl).toBeLessThanOrEqual(60_000);
      // Info alone starts nothing.
      expect(h.cache.slots.size).toBe(0);
    });

    it('the URL plays without any header, ranges and HEAD included', async () => {
      const { url } = await h.info('movie');
      const r = await h.get(url, { range: 'bytes=0-1' });
      expect(r.status).toBe(206);
      expect(r.body.equals(h.movie.subarray(0, 2))).toBe(true);
      expect((await h.get(url, {}, 'HEAD')).headers['content-length']).toBe(String(h.movie.length));
      expect((await h.get(url)).body.equals(h.movie)).toBe(true);
    });

    it('a tampered, expired, or other-content token is 401', async () => {
      const { url } = await h.info('movie');
      const st = url.split('st=')[1];
      const tampered = st.slice(0, 10) + (st[10] === 'A' ? 'B' : 'A') + st.slice(11);
      for (const u of [
        `/api/stream/movie?st=${tampered}`,
        `/api/stream/movie?st=${st}x`,
        '/api/stream/movie?st=garbage',
      ]) {
        const r = await h.get(u);
        expect(r.status, u).toBe(401);
        expect(code(r).code).toBe('INVALID_MEDIA_TOKEN');
      }
      const other = await h.get(`/api/stream/movie2?st=${st}`);
      expect(other.status).toBe(401);
      expect(code(other).message).toMatch(/another video/);
      const expired = h.tokens.sign({
        user_id: 'alice',
        auth_session_id: 'sess-alice',
        content_id: 'movie',
        session_id: 'p-old',
        expires_at: Date.now() - 1,
      });
      const e = await h.get(`/api/stream/movie?st=${expired}`);
      expect(e.status).toBe(401);
      expect(code(e).message).toMatch(/expired/);
      expect(h.cache.slots.size).toBe(0);
    });

    it('signing out revokes the media URLs of that session at once, mid-playback too', async () => {
      const { url } = await h.info('movie', 'dave');
      expect((await h.get(url, { range: 'bytes=0-9' })).status).toBe(206);
      h.authSessions.delete('sess-dave');
      await h.app.orchestrator
        .client('auth')
        .publish('user_logout', { user_id: 'dave', session_id: 'sess-dave' });
      await waitFor(() => h.cache.slots.size === 0, 1000, { message: 'slot released on logout' });
      const r = await h.get(url, { range: 'bytes=10-19' });
      expect(r.status).toBe(401);
      expect(code(r).code).toBe('SESSION_REVOKED');
      await waitFor(
        () => h.events.stream_stopped.some((e) => e.user_id === 'dave' && e.bytes_sent === 10),
        1000,
      );
    });

    it('a URL whose auth session ended while this process missed the event is refused when it starts', async () => {
      const { url } = await h.info('movie', 'bob');
      h.authSessions.delete('sess-bob');
      try {
        const r = await h.get(url);
        expect(r.status).toBe(401);
        expect(code(r).code).toBe('SESSION_REVOKED');
      } finally {
        h.authSessions.add('sess-bob');
      }
    });

    it('suspension refuses every URL issued to the user before it (403)', async () => {
      const { url } = await h.info('movie2', 'erin');
      expect((await h.get(url, { range: 'bytes=0-9' })).status).toBe(206);
      await h.app.orchestrator
        .client('auth')
        .publish('user_suspended', { user_id: 'erin', by: 'admin', reason: null });
      await waitFor(() => h.cache.slots.size === 0, 1000);
      const r = await h.get(url, { range: 'bytes=0-9' });
      expect(r.status).toBe(403);
      expect(code(r).code).toBe('ACCOUNT_SUSPENDED');
    });
  });

  describe('slots per playback session', () => {
    it('the 4th concurrent playback of one user gets 429 with the per-user limit and queue position', async () => {
      const urls = await Promise.all(['movie', 'movie2', 'movie3', 'movie4'].map((c) => h.info(c)));
      const acquired = h.cache.callsOf('acquire_stream_slot').length;
      // Many range requests per playback, one slot each.
      for (const { url } of urls.slice(0, 3))
        for (let i = 0; i < 3; i++)
          expect((await h.get(url, { range: `bytes=${i}-${i}` })).status).toBe(206);
      expect(h.cache.callsOf('acquire_stream_slot').length - acquired).toBe(3);
      expect(h.cache.slots.size).toBe(3);
      const r = await h.get(urls[3].url, { range: 'bytes=0-1' });
      expect(r.status).toBe(429);
      const err = code(r);
      expect(err.code).toBe('STREAM_LIMIT');
      expect(err.message).toMatch(/per user \(3\).*queue position 1/);
      expect(err.details).toMatchObject({ reason: 'user_limit', limit: 3, queue_position: 1 });
      expect(r.headers['retry-after']).toBe('5');
      // Stopping one playback frees its slot for the waiting one at once.
      expect((await h.get(urls[0].url.replace('?', '/stop?'), {}, 'POST')).status).toBe(204);
      expect((await h.get(urls[3].url, { range: 'bytes=0-1' })).status).toBe(206);
    });

    it('the global limit says so', async () => {
      const played: string[] = [];
      for (const [token, content] of [
        ['alice', 'movie'],
        ['alice', 'movie2'],
        ['bob', 'movie'],
        ['bob', 'movie2'],
        ['carol', 'movie'],
      ]) {
        const { url } = await h.info(content, token);
        expect((await h.get(url, { range: 'bytes=0-0' })).status).toBe(206);
        played.push(url);
      }
      const { url } = await h.info('movie3', 'carol');
      const r = await h.get(url, { range: 'bytes=0-0' });
      expect(r.status).toBe(429);
      expect(code(r).message).toMatch(/all 5 playback slots.*global limit.*number 2 in the queue/);
    });

    it('an idle session gives its slot back after idleMs and reports stream_stopped with its bytes', async () => {
      const { url, session_id } = await h.info('movie3', 'carol');
      await h.get(url, { range: 'bytes=0-99' });
      await h.get(url, { range: 'bytes=100-149' });
      expect(h.cache.slots.has(session_id)).toBe(true);
      await waitFor(() => !h.cache.slots.has(session_id), 3000, { message: 'idle slot released' });
      await waitFor(() => h.events.stream_stopped.some((e) => e.session_id === session_id), 1000);
      const stopped = h.events.stream_stopped.find((e) => e.session_id === session_id);
      expect(stopped).toMatchObject({ user_id: 'carol', content_id: 'movie3', bytes_sent: 150 });
      expect(stopped.duration_ms).toBeGreaterThanOrEqual(0);
      expect(stopped.duration_ms).toBeLessThan(1000);
    });

    it('slots of idle sessions are reusable: a full user plays again once they idled out', async () => {
      const urls = await Promise.all(
        ['movie', 'movie2', 'movie3', 'movie4'].map((c) => h.info(c, 'frank')),
      );
      for (const { url } of urls.slice(0, 3))
        expect((await h.get(url, { range: 'bytes=0-0' })).status).toBe(206);
      expect((await h.get(urls[3].url, { range: 'bytes=0-0' })).status).toBe(429);
      await waitFor(() => [...h.cache.slots.values()].every((u) => u !== 'frank'), 3000, {
        message: 'idle slots released',
      });
      expect((await h.get(urls[3].url, { range: 'bytes=0-0' })).status).toBe(206);
    });

    it('a slot the cache dropped is acquired again on the next request', async () => {
      const { url, session_id } = await h.info('movie4', 'carol');
      await h.get(url, { range: 'bytes=0-0' });
      h.cache.slots.delete(session_id);
      expect((await h.get(url, { range: 'bytes=1-1' })).status).toBe(206);
      expect(h.cache.slots.has(session_id)).toBe(true);
    });
  });

  describe('events', () => {
    it('stream_started once per session with a record_play; failures of record_play do not break playback', async () => {
      h.content.state.recordFails = true;
      const { url, session_id } = await h.info('movie2', 'carol');
      const before = h.content.callsOf('record_play').length;
      await Promise.all([0, 1, 2, 3].map((i) => h.get(url, { range: `bytes=${i}-${i}` })));
      expect((await h.get(url, { range: 'bytes=0-3' })).status).toBe(206);
      await waitFor(() => h.events.stream_started.some((e) => e.session_id === session_id), 1000);
      expect(h.events.stream_started.filter((e) => e.session_id === session_id)).toEqual([
        { session_id, user_id: 'carol', content_id: 'movie2', tier: 'nas' },
      ]);
      expect(h.content.callsOf('record_play').slice(before)).toEqual([
        { user_id: 'carol', content_id: 'movie2' },
      ]);
      expect(h.lines.some((l) => l.msg === 'record_play failed; playback goes on')).toBe(true);
    });
  });

  it('503 with a clear message while the stream block itself is stopped', async () => {
    await h.app.stopBlock('stream');
    try {
      const r = await h.get('/api/stream/movie', bearer('alice'));
      expect(r.status).toBe(503);
      expect(code(r)).toMatchObject({
        code: 'BLOCK_UNAVAILABLE',
        message: expect.stringMatching(/stream service is not running/),
      });
    } finally {
      await h.app.restartBlock('stream');
    }
    expect(
      (await h.get('/api/stream/movie', { ...bearer('alice'), range: 'bytes=0-0' })).status,
    ).toBe(206);
  });
});
