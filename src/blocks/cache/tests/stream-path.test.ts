/**
 * get_stream_path through the real block and contract, with content:v1 mocked: the NAS tier
 * on real MP4 files, the cached media path, the error codes, and path confinement (`..`,
 * absolute paths, a symlink out of the library).
 */
import { mkdirSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeWithFfmpeg, makeLibrary } from '../../../../test/support/media.ts';
import { removeRoot, startHost, type Host } from './helpers.ts';

describeWithFfmpeg('get_stream_path', () => {
  let h: Host;
  const ask = (content_id: string) =>
    h.cache.request('cache:v1', 'get_stream_path', { content_id });

  beforeAll(async () => {
    h = await startHost();
    makeLibrary(h.library, {
      'WSOP/2024/Main Event Day 1.mp4': { seconds: 2 },
      'HCL/ep1.mp4': { seconds: 1 },
    });
  });
  afterAll(async () => {
    await h?.close();
    removeRoot(h.root);
  });

  it('answers the NAS file, its size and mtime, and keeps the media path for the next call', async () => {
    h.items.set('c1', 'WSOP/2024/Main Event Day 1.mp4');
    const file = join(h.library, 'WSOP/2024/Main Event Day 1.mp4');
    const st = statSync(file);
    expect(await ask('c1')).toEqual({
      path: file,
      tier: 'nas',
      size: st.size,
      mtime_ms: st.mtimeMs,
    });
    expect(st.size).toBeGreaterThan(1000);
    await ask('c1');
    await ask('c1');
    // asked once, then L1
    expect(h.contentMock.callsOf('get_content')).toEqual([{ content_id: 'c1' }]);
    const stats = await h.cache.request('cache:v1', 'get_cache_stats', {});
    expect(stats.tiers.nas).toEqual({ hits: 3, misses: 0, hit_rate: 1 });
    expect(stats.tiers.ssd).toEqual({ hits: 0, misses: 3, hit_rate: 0 });
    expect(stats.tiers.redis).toBeUndefined(); // no Redis configured
  });

  it('CONTENT_NOT_FOUND (404) when content says there is no such item', async () => {
    await expect(ask('nope')).rejects.toMatchObject({
      code: 'CONTENT_NOT_FOUND',
      status: 404,
      retryable: false,
    });
  });

  it('FILE_UNAVAILABLE (503, retryable) when the file is missing or not a file', async () => {
    h.items.set('gone', 'WSOP/2024/missing.mp4');
    await expect(ask('gone')).rejects.toMatchObject({
      code: 'FILE_UNAVAILABLE',
      status: 503,
      retryable: true,
    });
    h.items.set('dir', 'WSOP/2024');
    await expect(ask('dir')).rejects.toMatchObject({ code: 'FILE_UNAVAILABLE', retryable: true });
    expect((await h.cache.request('cache:v1', 'get_cache_stats', {})).tiers.nas.misses).toBe(2);
  });

  it('refuses paths that leave the library: "..", absolute, and a symlink pointing out', async () => {
    const outside = join(h.root, 'secret.mp4');
    writeFileSync(outside, 'not for viewers');
    mkdirSync(join(h.library, 'links'), { recursive: true });
    symlinkSync(outside, join(h.library, 'links/escape.mp4'));
    symlinkSync(join(h.library, 'HCL/ep1.mp4'), join(h.library, 'links/inside.mp4'));
    for (const [id, path] of [
      ['dots', '../secret.mp4'],
      ['deep', 'WSOP/../../secret.mp4'],
      ['abs', outside],
      ['link', 'links/escape.mp4'],
    ]) {
      h.items.set(id, path);
      await expect(ask(id), path).rejects.toMatchObject({ code: 'PATH_OUTSIDE_ROOT' });
    }
    // A symlink that stays inside the library is fine; the real path is answered.
    h.items.set('inside', 'links/inside.mp4');
    expect(await ask('inside')).toMatchObject({
      path: join(h.library, 'HCL/ep1.mp4'),
      tier: 'nas',
    });
  });

  it('CONTENT_UNAVAILABLE (503, retryable; not an infrastructure error of the cache) when content is down', async () => {
    h.items.set('fresh', 'HCL/ep1.mp4');
    await h.app.stopBlock('content');
    try {
      await expect(ask('fresh')).rejects.toMatchObject({
        code: 'CONTENT_UNAVAILABLE',
        status: 503,
        retryable: true,
      });
      // A path content gave before is still served from the cache meanwhile.
      expect((await ask('c1')).tier).toBe('nas');
    } finally {
      await h.app.restartBlock('content');
    }
  });
});
