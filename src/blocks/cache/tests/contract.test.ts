/**
 * The cache:v1 contract through a real host with the default configuration (no Redis): the
 * key-value actions, the default slot limits 3 and 20, touch, idle release with a configured
 * idleMs, and the stats. Plus the play window of both play counters.
 */
import { randomUUID } from 'node:crypto';
import { statfsSync } from 'node:fs';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeRedis, redisUrl } from '../../../../test/support/redis.ts';
import { waitFor } from '../../../../test/support/wait.ts';
import { MemoryPlayCounter, RedisPlayCounter } from '../plays.ts';
import { removeRoot, startHost, type Host } from './helpers.ts';

describe('cache:v1 with the default configuration', () => {
  let h: Host;
  const slot = (user_id: string, session_id: string) =>
    h.cache.request('cache:v1', 'acquire_stream_slot', { user_id, session_id });
  beforeAll(async () => {
    h = await startHost();
  });
  afterAll(async () => {
    await h?.close();
    removeRoot(h.root);
  });

  it('get / set / delete, with the memory tier reported and counted', async () => {
    expect(await h.cache.request('cache:v1', 'get', { key: 'k' })).toEqual({
      hit: false,
      value: null,
      tier: null,
    });
    expect(
      await h.cache.request('cache:v1', 'set', { key: 'k', value: { list: [1, 'two'] } }),
    ).toEqual({ ok: true });
    expect(await h.cache.request('cache:v1', 'get', { key: 'k' })).toEqual({
      hit: true,
      value: { list: [1, 'two'] },
      tier: 'memory',
    });
    expect(await h.cache.request('cache:v1', 'delete', { key: 'k' })).toEqual({ ok: true });
    expect((await h.cache.request('cache:v1', 'get', { key: 'k' })).hit).toBe(false);
    await expect(
      h.cache.request('cache:v1', 'set', { key: 'k', value: 1, ttl_seconds: 0 }),
    ).rejects.toMatchObject({ code: 'INVALID_PAYLOAD' });
    const stats = await h.cache.request('cache:v1', 'get_cache_stats', {});
    expect(stats.tiers.memory).toEqual({ hits: 1, misses: 2, hit_rate: 1 / 3 });
  });

  it('reports the SSD directory and the free space of its filesystem', async () => {
    const { ssd } = await h.cache.request('cache:v1', 'get_cache_stats', {});
    expect(ssd.dir).toBe(h.ssd);
    const fs = statfsSync(h.ssd);
    expect(ssd.filesystem?.total_bytes).toBe(fs.bsize * fs.blocks);
    expect(ssd.filesystem!.free_bytes).toBeGreaterThan(0);
    expect(ssd.filesystem!.used_bytes).toBe(
      ssd.filesystem!.total_bytes - ssd.filesystem!.free_bytes,
    );
  });

  it('3 sessions per user and 20 in total by default; touch keeps a slot, release frees it', async () => {
    for (let s = 1; s <= 3; s++) expect((await slot('ann', `s${s}`)).granted).toBe(true);
    expect(await slot('ann', 's4')).toMatchObject({
      granted: false,
      reason: 'user_limit',
      limit: 3,
      queue_position: 1,
    });
    expect((await slot('ann', 's2')).granted).toBe(true); // the same playback again
    for (let u = 1; u <= 17; u++) expect((await slot(`viewer${u}`, 'play')).granted).toBe(true);
    expect(await slot('viewer18', 'play')).toMatchObject({
      granted: false,
      reason: 'global_limit',
      limit: 20,
      queue_position: 1,
      active_total: 20,
    });
    expect(
      await h.cache.request('cache:v1', 'touch_stream_slot', { user_id: 'ann', session_id: 's1' }),
    ).toEqual({ active: true });
    expect(
      await h.cache.request('cache:v1', 'touch_stream_slot', { user_id: 'ann', session_id: 's4' }),
    ).toEqual({ active: false });
    expect(
      await h.cache.request('cache:v1', 'release_stream_slot', {
        user_id: 'ann',
        session_id: 's1',
      }),
    ).toEqual({ ok: true });
    expect((await slot('viewer18', 'play')).granted).toBe(true);
    expect((await h.cache.request('cache:v1', 'get_cache_stats', {})).active_slots).toBe(20);
  });

  it('a session that stops touching loses its slot after the configured idleMs', async () => {
    const quick = await startHost({ WSOPTV_STREAM_IDLE_MS: '150', WSOPTV_STREAM_MAX_TOTAL: '1' });
    try {
      const ask = (user_id: string) =>
        quick.cache.request('cache:v1', 'acquire_stream_slot', { user_id, session_id: 'x' });
      expect((await ask('a')).granted).toBe(true);
      expect((await ask('b')).reason).toBe('global_limit');
      const waited = await waitFor(async () => (await ask('b')).granted, 2000, {
        intervalMs: 20,
        message: 'slot released by idleness',
      });
      expect(waited).toBeGreaterThanOrEqual(100);
      expect(
        await quick.cache.request('cache:v1', 'touch_stream_slot', {
          user_id: 'a',
          session_id: 'x',
        }),
      ).toEqual({ active: false });
    } finally {
      await quick.close();
      removeRoot(quick.root);
    }
  });
});

describe('play counts (memory)', () => {
  it('count each session once, within the window only', async () => {
    let now = 0;
    const day = 86_400_000;
    const plays = new MemoryPlayCounter(7 * day, () => now);
    expect(await plays.add('c', 's1')).toEqual({ added: true, plays: 1 });
    expect(await plays.add('c', 's1')).toEqual({ added: false, plays: 1 });
    now = 3 * day;
    expect(await plays.add('c', 's2')).toEqual({ added: true, plays: 2 });
    now = 7 * day; // s1 is 7 days old: out of the window
    expect(await plays.count(['c', 'other'])).toEqual([1, 0]);
    await plays.forget('c');
    expect(await plays.count(['c'])).toEqual([0]);
  });
});

describeRedis('play counts (Redis)', () => {
  const prefix = `test:plays:${randomUUID()}:`;
  let r: Redis;
  beforeAll(() => {
    r = new Redis(redisUrl);
  });
  afterAll(async () => {
    const keys = await r.keys(`${prefix}*`);
    if (keys.length) await r.del(...keys);
    r.disconnect();
  });

  it('count each session once across instances, within the window only, and expire the key', async () => {
    const day = 86_400_000;
    const one = new RedisPlayCounter(r, prefix, 7 * day);
    const two = new RedisPlayCounter(r, prefix, 7 * day);
    await r.zadd(`${prefix}plays:c`, Date.now() - 8 * day, 'ancient'); // a play from last week
    expect(await one.add('c', 's1')).toEqual({ added: true, plays: 1 });
    expect(await two.add('c', 's1')).toEqual({ added: false, plays: 1 });
    expect(await two.add('c', 's2')).toEqual({ added: true, plays: 2 });
    expect(await one.count(['c', 'none'])).toEqual([2, 0]);
    const ttl = await r.pttl(`${prefix}plays:c`);
    expect(ttl).toBeGreaterThan(6 * day);
    await one.forget('c');
    expect(await r.exists(`${prefix}plays:c`)).toBe(0);
  });
});
