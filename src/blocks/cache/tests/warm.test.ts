/**
 * cache:v1 warm_content on a real file (the durable path of promotion: the worker's cache_warm job
 * calls it), and the hand-over: while a worker block serves, a hot play is announced but not
 * copied by the cache itself.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { mockBlock, workerV1 } from '../../../orchestration/index.ts';
import { waitFor } from '../../../../test/support/wait.ts';
import { removeRoot, startHost, type Host } from './helpers.ts';

const hosts: Host[] = [];
afterEach(async () => {
  for (const h of hosts.splice(0)) await h.close().finally(() => removeRoot(h.root));
});
/** A file of random bytes in the library (3 MiB: several 1 MiB reads). */
function put(h: Host, id: string, mediaPath: string): Buffer {
  const bytes = randomBytes(3 << 20);
  mkdirSync(dirname(join(h.library, mediaPath)), { recursive: true });
  writeFileSync(join(h.library, mediaPath), bytes);
  h.items.set(id, mediaPath);
  return bytes;
}
/** The cache's own naming: base64url(content id) ~ 16 hex of sha256(media path) + extension. */
const cacheName = (id: string, mediaPath: string) =>
  `${Buffer.from(id).toString('base64url')}~${createHash('sha256').update(mediaPath).digest('hex').slice(0, 16)}.mp4`;
const finals = (h: Host) => readdirSync(h.ssd).filter((n) => !n.startsWith('.'));

describe('warm_content', () => {
  it('copies with the cache naming and answers when done; served from the SSD; a second call finds it up to date', async () => {
    const h = await startHost();
    hosts.push(h);
    const bytes = put(h, 'w1', 'WSOP/Warm Me.mp4');
    const first = await h.cache.request('cache:v1', 'warm_content', { content_id: 'w1' });
    const name = cacheName('w1', 'WSOP/Warm Me.mp4');
    expect(first).toEqual({ copied: true, bytes: bytes.length, path: join(h.ssd, name) });
    expect(readdirSync(h.ssd)).toEqual([name]); // the temporary file is gone
    expect(readFileSync(join(h.ssd, name)).equals(bytes)).toBe(true);
    expect(
      await h.cache.request('cache:v1', 'get_stream_path', { content_id: 'w1' }),
    ).toMatchObject({ tier: 'ssd', path: join(h.ssd, name), size: bytes.length });
    expect(
      await h.cache.request('cache:v1', 'warm_content', {
        content_id: 'w1',
        media_path: 'WSOP/Warm Me.mp4',
      }),
    ).toEqual({ ...first, copied: false });
    expect((await h.cache.request('cache:v1', 'get_cache_stats', {})).ssd).toMatchObject({
      used_bytes: bytes.length,
      files: 1,
    });
  });

  it('unknown item → CONTENT_NOT_FOUND; a path outside the library → PATH_OUTSIDE_ROOT', async () => {
    const h = await startHost();
    hosts.push(h);
    await expect(
      h.cache.request('cache:v1', 'warm_content', { content_id: 'nope' }),
    ).rejects.toMatchObject({ code: 'CONTENT_NOT_FOUND' });
    await expect(
      h.cache.request('cache:v1', 'warm_content', { content_id: 'x', media_path: '../etc/passwd' }),
    ).rejects.toMatchObject({ code: 'PATH_OUTSIDE_ROOT' });
    expect(finals(h)).toEqual([]);
  });
});

describe('with a worker block serving', () => {
  it('a hot play is announced but not copied by the cache itself; the worker’s warm_content copies it', async () => {
    const worker = mockBlock('worker:v1', {}, Object.keys(workerV1.actions));
    const h = await startHost({}, undefined, [worker.manifest]);
    hosts.push(h);
    expect(
      h.app.orchestrator
        .systemView()
        .blocks()
        .find((b) => b.id === 'worker')?.status,
    ).toBe('healthy');
    put(h, 'hot', 'WSOP/hot.mp4');
    for (let i = 0; i < 5; i++)
      await h.app.orchestrator.client('stream').publish('stream_started', {
        session_id: `s${i}`,
        user_id: 'u1',
        content_id: 'hot',
        tier: 'nas',
      });
    await waitFor(() => h.seen.hot_content_detected.length === 1, 5000, {
      message: 'hot_content_detected',
    });
    expect(h.seen.hot_content_detected[0]).toMatchObject({
      content_id: 'hot',
      media_path: 'WSOP/hot.mp4',
      plays_7d: 5,
    });
    await new Promise((r) => setTimeout(r, 300));
    expect(readdirSync(h.ssd)).toEqual([]); // no copy, not even a temporary file
    expect(
      await h.cache.request('cache:v1', 'warm_content', {
        content_id: 'hot',
        media_path: 'WSOP/hot.mp4',
      }),
    ).toMatchObject({ copied: true });
    expect(finals(h)).toEqual([cacheName('hot', 'WSOP/hot.mp4')]);
  });
});
