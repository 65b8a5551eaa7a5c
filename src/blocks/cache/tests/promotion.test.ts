/**
 * Hot promotion and the SSD tier on real MP4 files, through the real block with content:v1
 * mocked: 5 plays in the window copy a video to the SSD (temporary name, then rename; same
 * bytes), the tier becomes ssd; a changed source discards the copy; LRU eviction past 95 %;
 * content_deleted purges; a restart re-indexes the directory and removes half-written copies.
 */
import { readdirSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeWithFfmpeg, makeLibrary, sampleMp4 } from '../../../../test/support/media.ts';
import { waitFor } from '../../../../test/support/wait.ts';
import { noisyMp4, removeRoot, startHost, tempRoot, type Host } from './helpers.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
let sessions = 0;
const play = (h: Host, content_id: string, session_id = `p${++sessions}`) =>
  h.app.orchestrator
    .client('stream')
    .publish('stream_started', { session_id, user_id: 'u1', content_id, tier: 'nas' });
const ssdFiles = (h: Host) => readdirSync(h.ssd);
const finals = (h: Host) => ssdFiles(h).filter((n) => !n.startsWith('.'));

/** Watches the SSD directory on every turn of the event loop until stopped. */
function watchSsd(h: Host, source: number) {
  const seen = {
    temps: new Set<string>(),
    finals: new Set<string>(),
    maxTemps: 0,
    wrongSize: [] as string[],
  };
  let on = true;
  const look = () => {
    if (!on) return;
    const names = ssdFiles(h);
    const temps = names.filter((n) => n.startsWith('.') && n.endsWith('.tmp'));
    temps.forEach((n) => seen.temps.add(n));
    seen.maxTemps = Math.max(seen.maxTemps, temps.length);
    for (const n of names.filter((x) => !x.startsWith('.'))) {
      seen.finals.add(n);
      try {
        if (statSync(join(h.ssd, n)).size !== source) seen.wrongSize.push(n);
      } catch {
        /* evicted meanwhile */
      }
    }
    setImmediate(look);
  };
  look();
  return { seen, stop: () => void (on = false) };
}

describeWithFfmpeg('hot promotion to the SSD', () => {
  let h: Host;
  const big = 'WSOP/2024/Final Table.mp4';
  const ask = (content_id: string) =>
    h.cache.request('cache:v1', 'get_stream_path', { content_id });

  beforeAll(async () => {
    h = await startHost();
    noisyMp4(join(h.library, big));
    h.items.set('hot', big);
  });
  afterAll(async () => {
    await h?.close();
    removeRoot(h.root);
  });

  it('copies a video played in 5 sessions: temporary name then rename, same bytes, tier ssd, announced once', async () => {
    const nas = join(h.library, big);
    const source = statSync(nas);
    // several 1 MiB chunks: the copy takes a while
    expect(source.size).toBeGreaterThan(4 * 1024 * 1024);
    expect(await ask('hot')).toMatchObject({ tier: 'nas', path: nas });
    for (let i = 0; i < 4; i++) await play(h, 'hot', `s${i}`);
    await play(h, 'hot', 's0'); // the same session again: still 4 plays
    await sleep(150);
    expect(finals(h)).toEqual([]);
    expect(h.seen.hot_content_detected).toEqual([]);

    const watch = watchSsd(h, source.size);
    await play(h, 'hot', 's4');
    await waitFor(() => finals(h).length === 1, 10_000, { message: 'copy on the SSD' });
    watch.stop();
    const [name] = finals(h);
    expect(watch.seen.wrongSize).toEqual([]); // the final name never showed a partial file
    expect(
      [...watch.seen.temps].every(
        (t) => t.startsWith('.') && t.endsWith('.tmp') && t.includes(name),
      ),
    ).toBe(true);
    expect(watch.seen.temps.size).toBe(1); // it was written under a temporary name first
    expect(ssdFiles(h)).toEqual([name]); // and nothing is left behind
    expect(readFileSync(join(h.ssd, name)).equals(readFileSync(nas))).toBe(true);
    expect(h.seen.hot_content_detected).toEqual([
      { content_id: 'hot', media_path: big, plays_7d: 5 },
    ]);

    const answer = await ask('hot');
    expect(answer).toEqual({
      path: join(h.ssd, name),
      tier: 'ssd',
      size: source.size,
      mtime_ms: expect.any(Number),
    });
    // same Last-Modified as the NAS file
    expect(Math.abs(answer.mtime_ms - source.mtimeMs)).toBeLessThan(1);
    await play(h, 'hot'); // a 6th play: already on the SSD, no second announcement
    await sleep(50);
    expect(h.seen.hot_content_detected).toHaveLength(1);
    const stats = await h.cache.request('cache:v1', 'get_cache_stats', {});
    expect(stats.hot_contents).toEqual([{ content_id: 'hot', plays_7d: 6, on_ssd: true }]);
    expect(stats.ssd).toMatchObject({
      used_bytes: source.size,
      capacity_bytes: 50 * 1024 ** 3,
      files: 1,
    });
    expect(stats.tiers.ssd).toMatchObject({ hits: 1, misses: 1, hit_rate: 0.5 });
  });

  it('discards the copy when the source changed (size or mtime) and serves the NAS file', async () => {
    const nas = join(h.library, big);
    const later = new Date(Date.now() + 60_000);
    utimesSync(nas, later, later);
    expect(await ask('hot')).toMatchObject({
      tier: 'nas',
      path: nas,
      mtime_ms: statSync(nas).mtimeMs,
    });
    expect(finals(h)).toEqual([]);
    // The next play finds it hot and not on the SSD: copied again, from the new version.
    await play(h, 'hot');
    await waitFor(() => finals(h).length === 1, 10_000, { message: 'copied again' });
    await waitFor(async () => (await ask('hot')).tier === 'ssd', 2000, {
      message: 'tier ssd again',
    });
  });

  it('content_deleted purges the copy, the cached path and the play count', async () => {
    expect(finals(h)).toHaveLength(1);
    const asked = h.contentMock.callsOf('get_content').length;
    h.items.delete('hot');
    await h.app.orchestrator
      .client('content')
      .publish('content_deleted', { content_id: 'hot', media_path: big });
    await waitFor(() => finals(h).length === 0, 2000, { message: 'copy removed' });
    await expect(ask('hot')).rejects.toMatchObject({ code: 'CONTENT_NOT_FOUND' });
    // the path was no longer cached
    expect(h.contentMock.callsOf('get_content').length).toBe(asked + 1);
    const stats = await h.cache.request('cache:v1', 'get_cache_stats', {});
    expect(stats.hot_contents).toEqual([]);
    expect(stats.ssd).toMatchObject({ used_bytes: 0, files: 0 });
  });
});

describeWithFfmpeg('SSD eviction and restart', () => {
  let h: Host;
  let root: string;
  let size: number;
  const ask = (content_id: string) =>
    h.cache.request('cache:v1', 'get_stream_path', { content_id });
  const on = () =>
    new Set(finals(h).map((n) => Buffer.from(n.split('~')[0], 'base64url').toString()));
  const promote = async (id: string) => {
    await play(h, id);
    await waitFor(() => on().has(id), 10_000, { message: `${id} on the SSD` });
    await sleep(10); // distinct last-use times
  };

  beforeAll(async () => {
    root = tempRoot('evict');
    size = statSync(sampleMp4({ seconds: 1 })).size;
    // Room for exactly four copies: three stay under 95 %, the fourth passes it.
    h = await startHost({ WSOPTV_HOT_PLAYS: '1', WSOPTV_SSD_CACHE_BYTES: String(4 * size) }, root);
    makeLibrary(
      h.library,
      Object.fromEntries(['a', 'b', 'c', 'd', 'e'].map((id) => [`HCL/${id}.mp4`, { seconds: 1 }])),
    );
    for (const id of ['a', 'b', 'c', 'd', 'e']) h.items.set(id, `HCL/${id}.mp4`);
  });
  afterAll(async () => {
    await h?.close();
    removeRoot(root);
  });

  it('past 95 % of capacity evicts least-recently-used copies and announces ssd_cache_full', async () => {
    for (const id of ['a', 'b', 'c']) await promote(id);
    expect(h.seen.ssd_cache_full).toEqual([]);
    expect((await ask('a')).tier).toBe('ssd'); // a is now more recent than b and c
    await sleep(10);
    await promote('d');
    await waitFor(() => h.seen.ssd_cache_full.length === 1, 2000, { message: 'ssd_cache_full' });
    expect(h.seen.ssd_cache_full).toEqual([
      { used_bytes: 4 * size, capacity_bytes: 4 * size, evicted: 1 },
    ]);
    expect(on()).toEqual(new Set(['a', 'c', 'd']));
    expect((await ask('b')).tier).toBe('nas');
    expect((await ask('c')).tier).toBe('ssd'); // now c is recent, a is the oldest
    await sleep(10);
    await promote('e');
    await waitFor(() => h.seen.ssd_cache_full.length === 2, 2000, {
      message: 'second ssd_cache_full',
    });
    expect(on()).toEqual(new Set(['c', 'd', 'e']));
    const stats = await h.cache.request('cache:v1', 'get_cache_stats', {});
    expect(stats.ssd).toMatchObject({ used_bytes: 3 * size, capacity_bytes: 4 * size, files: 3 });
  });

  it('copies one video at a time, never blocking requests', async () => {
    for (const id of ['a', 'b'])
      await h.app.orchestrator
        .client('content')
        .publish('content_deleted', { content_id: id, media_path: `HCL/${id}.mp4` });
    h.items.set('a', 'HCL/a.mp4');
    h.items.set('b', 'HCL/b.mp4');
    const watch = watchSsd(h, size);
    await Promise.all([play(h, 'a'), play(h, 'b')]);
    const started = performance.now();
    expect((await ask('a')).tier).toBe('nas'); // answered while the copies wait or run
    expect(performance.now() - started).toBeLessThan(500);
    await waitFor(() => on().has('a') && on().has('b'), 10_000, { message: 'both copied' });
    // Each copy passed 95 % again and evicted the oldest (c, then d).
    await waitFor(() => h.seen.ssd_cache_full.length === 4, 2000, {
      message: 'two more evictions',
    });
    watch.stop();
    expect(on()).toEqual(new Set(['e', 'a', 'b']));
    expect(watch.seen.maxTemps).toBe(1);
    expect(watch.seen.wrongSize).toEqual([]);
  });

  it('after a restart the copies are known again and half-written ones are removed', async () => {
    const before = on();
    writeFileSync(join(h.ssd, '.leftover.12345.abcd.tmp'), 'half a video');
    writeFileSync(join(h.ssd, 'not-a-copy.txt'), 'ignored');
    await h.close();
    h = await startHost({ WSOPTV_HOT_PLAYS: '1', WSOPTV_SSD_CACHE_BYTES: String(4 * size) }, root);
    for (const id of ['a', 'b', 'c', 'd', 'e']) h.items.set(id, `HCL/${id}.mp4`);
    expect(ssdFiles(h)).not.toContain('.leftover.12345.abcd.tmp');
    expect(ssdFiles(h)).toContain('not-a-copy.txt');
    const stats = await h.cache.request('cache:v1', 'get_cache_stats', {});
    expect(stats.ssd.files).toBe(before.size);
    for (const id of before) expect((await ask(id)).tier, id).toBe('ssd');
    // A copy of a path the item no longer has is never served.
    const moved = [...before][0];
    h.items.set(moved, 'HCL/e.mp4');
    await h.app.orchestrator.client('content').publish('content_updated', {
      content_id: moved,
      title: moved,
      description: '',
      catalog: 'HCL',
      duration_seconds: null,
      thumbnail_url: null,
      added_at: new Date().toISOString(),
    });
    await waitFor(async () => (await ask(moved)).path === join(h.library, 'HCL/e.mp4'), 2000, {
      message: 'new path',
    });
    expect(on().has(moved)).toBe(false);
  });
});
