/**
 * Two orchestrators, each hosting the real cache block, on the real Redis (own bus namespace,
 * so own key prefix): slots shared and never over the limit under concurrent acquires from
 * both, play counts shared and counted once per session, L1 invalidated across instances.
 * Then a throw-away redis-server that is really stopped: the cache keeps answering.
 */
import { randomUUID } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeWithFfmpeg, makeLibrary } from '../../../../test/support/media.ts';
import {
  describeRedis,
  describeRedisServer,
  redisUrl,
  startThrowawayRedis,
  testBusSecret,
  type ThrowawayRedis,
} from '../../../../test/support/redis.ts';
import { waitFor } from '../../../../test/support/wait.ts';
import { removeRoot, startHost, type Host } from './helpers.ts';

const localStatus = (h: Host) =>
  h.app.orchestrator.localBlocks().find((b) => b.info.id === 'cache')!.info;

describeRedis('cache instances sharing Redis', () => {
  const ns = `t${randomUUID().slice(0, 12)}`;
  let one: Host;
  let two: Host;
  beforeAll(async () => {
    const env = {
      REDIS_URL: redisUrl,
      WSOPTV_BUS_SECRET: testBusSecret,
      WSOPTV_BUS_NAMESPACE: ns,
      WSOPTV_STREAM_MAX_PER_USER: '2',
      WSOPTV_STREAM_MAX_TOTAL: '10',
      WSOPTV_HOT_PLAYS: '3',
    };
    // Two instances of one block on one machine need instance names of their own.
    one = await startHost({ ...env, WSOPTV_INSTANCE: 'one' });
    two = await startHost({ ...env, WSOPTV_INSTANCE: 'two' });
  });
  afterAll(async () => {
    await Promise.all([one?.close(), two?.close()]);
    const r = new Redis(redisUrl);
    const keys = await r.keys(`${ns}:*`);
    if (keys.length) await r.del(...keys);
    r.disconnect();
    for (const h of [one, two]) if (h) removeRoot(h.root);
  });

  it('keeps its keys under the bus namespace', async () => {
    await one.cache.request('cache:v1', 'set', { key: 'ns-check', value: 1 });
    await one.cache.request('cache:v1', 'acquire_stream_slot', {
      user_id: 'ns-user',
      session_id: 'x',
    });
    const r = new Redis(redisUrl);
    expect(await r.exists(`${ns}:wsoptv:cache:kv:ns-check`)).toBe(1);
    expect(await r.exists(`${ns}:wsoptv:cache:{slots}:u:ns-user`)).toBe(1);
    await one.cache.request('cache:v1', 'release_stream_slot', {
      user_id: 'ns-user',
      session_id: 'x',
    });
    r.disconnect();
  });

  it('concurrent acquires through both orchestrators never exceed the limits', async () => {
    const asks = Array.from({ length: 40 }, (_, i) =>
      (i % 2 ? one : two).cache.request('cache:v1', 'acquire_stream_slot', {
        user_id: `u${i % 8}`,
        session_id: `play-${i}`,
      }),
    );
    const answers = await Promise.all(asks);
    const granted = answers.filter((a) => a.granted);
    expect(granted).toHaveLength(10);
    const reasons = new Set(answers.filter((a) => !a.granted).map((a) => a.reason));
    expect([...reasons].every((r) => r === 'user_limit' || r === 'global_limit')).toBe(true);
    expect((await one.cache.request('cache:v1', 'get_cache_stats', {})).active_slots).toBe(10);
    expect((await two.cache.request('cache:v1', 'get_cache_stats', {})).active_slots).toBe(10);
    // A slot taken through one is held, touched and released through the other.
    const held = answers.findIndex((a) => a.granted);
    const session = { user_id: `u${held % 8}`, session_id: `play-${held}` };
    expect(await two.cache.request('cache:v1', 'touch_stream_slot', session)).toEqual({
      active: true,
    });
    expect((await two.cache.request('cache:v1', 'acquire_stream_slot', session)).granted).toBe(
      true,
    );
    await two.cache.request('cache:v1', 'release_stream_slot', session);
    expect(await one.cache.request('cache:v1', 'touch_stream_slot', session)).toEqual({
      active: false,
    });
    expect((await one.cache.request('cache:v1', 'get_cache_stats', {})).active_slots).toBe(9);
  });

  it('an L1 copy in the other instance is dropped when a key changes', async () => {
    await one.cache.request('cache:v1', 'set', { key: 'home', value: 'v1', ttl_seconds: 600 });
    expect(await two.cache.request('cache:v1', 'get', { key: 'home' })).toEqual({
      hit: true,
      value: 'v1',
      tier: 'redis',
    });
    expect((await two.cache.request('cache:v1', 'get', { key: 'home' })).tier).toBe('memory');
    await one.cache.request('cache:v1', 'set', { key: 'home', value: 'v2', ttl_seconds: 600 });
    await waitFor(
      async () => (await two.cache.request('cache:v1', 'get', { key: 'home' })).value === 'v2',
      2000,
      { message: 'v2 seen by two' },
    );
    await two.cache.request('cache:v1', 'delete', { key: 'home' });
    await waitFor(
      async () => !(await one.cache.request('cache:v1', 'get', { key: 'home' })).hit,
      2000,
      { message: 'delete seen by one' },
    );
    // The writer keeps its own fresh L1 entry: its own invalidation does not drop it.
    await one.cache.request('cache:v1', 'set', { key: 'mine', value: 1 });
    await new Promise((r) => setTimeout(r, 100));
    expect((await one.cache.request('cache:v1', 'get', { key: 'mine' })).tier).toBe('memory');
  });

  describeWithFfmpeg('with media', () => {
    it('counts each playback session once although both instances hear it; each copies to its own SSD', async () => {
      for (const h of [one, two]) {
        makeLibrary(h.library, { 'PAD/s2e1.mp4': { seconds: 1 } });
        h.items.set('pad', 'PAD/s2e1.mp4');
      }
      const publish = (session_id: string) =>
        one.app.orchestrator
          .client('stream')
          .publish('stream_started', { session_id, user_id: 'u1', content_id: 'pad', tier: 'nas' });
      await publish('a');
      await publish('b');
      await new Promise((r) => setTimeout(r, 200));
      const before = await two.cache.request('cache:v1', 'get_cache_stats', {});
      expect(before.hot_contents).toEqual([]); // 2 plays, not 4
      await publish('c');
      for (const h of [one, two])
        await waitFor(
          async () =>
            (await h.cache.request('cache:v1', 'get_stream_path', { content_id: 'pad' })).tier ===
            'ssd',
          5000,
          { message: 'ssd' },
        );
      expect(readdirSync(one.ssd).length + readdirSync(two.ssd).length).toBe(2);
      await waitFor(() => one.seen.hot_content_detected.length >= 1, 2000);
      await new Promise((r) => setTimeout(r, 100));
      expect(one.seen.hot_content_detected).toEqual([
        { content_id: 'pad', media_path: 'PAD/s2e1.mp4', plays_7d: 3 },
      ]); // announced once, not by both
      expect((await one.cache.request('cache:v1', 'get_cache_stats', {})).hot_contents).toEqual([
        { content_id: 'pad', plays_7d: 3, on_ssd: true },
      ]);
    });
  });
});

describeRedisServer('cache with Redis going away', () => {
  let redis: ThrowawayRedis;
  let h: Host;
  beforeAll(async () => {
    redis = await startThrowawayRedis();
    h = await startHost({
      REDIS_URL: redis.url,
      WSOPTV_BUS_SECRET: testBusSecret,
      WSOPTV_STREAM_MAX_PER_USER: '1',
      WSOPTV_HEALTH_INTERVAL_MS: '100',
    });
  });
  afterAll(async () => {
    await h?.close();
    await redis?.stop();
    if (h) removeRoot(h.root);
  });

  it('answers from L1 and enforces slots in this process while Redis is down, then uses Redis again', async () => {
    await h.cache.request('cache:v1', 'set', { key: 'k', value: 'kept' });
    expect(
      (
        await h.cache.request('cache:v1', 'acquire_stream_slot', {
          user_id: 'u',
          session_id: 'before',
        })
      ).granted,
    ).toBe(true);
    await redis.stop();
    await waitFor(() => localStatus(h).status === 'degraded', 5000, { message: 'cache degraded' });
    expect(localStatus(h).status_reason).toMatch(/Redis/);
    expect(await h.cache.request('cache:v1', 'get', { key: 'k' })).toEqual({
      hit: true,
      value: 'kept',
      tier: 'memory',
    });
    await h.cache.request('cache:v1', 'set', { key: 'k2', value: 2 });
    expect((await h.cache.request('cache:v1', 'get', { key: 'k2' })).value).toBe(2);
    expect(
      (
        await h.cache.request('cache:v1', 'acquire_stream_slot', {
          user_id: 'u',
          session_id: 'during',
        })
      ).granted,
    ).toBe(true);
    expect(
      await h.cache.request('cache:v1', 'acquire_stream_slot', {
        user_id: 'u',
        session_id: 'third',
      }),
    ).toMatchObject({ granted: false, reason: 'user_limit' });
    expect(h.lines.some((l) => String(l.msg).includes('Redis unavailable'))).toBe(true);

    await redis.restart();
    await waitFor(() => localStatus(h).status === 'healthy', 10_000, {
      message: 'cache healthy again',
    });
    expect(
      await h.cache.request('cache:v1', 'touch_stream_slot', {
        user_id: 'u',
        session_id: 'during',
      }),
    ).toEqual({ active: true });
    await h.cache.request('cache:v1', 'release_stream_slot', {
      user_id: 'u',
      session_id: 'during',
    });
    // The restarted server lost everything: the shared store decides again.
    expect(
      (
        await h.cache.request('cache:v1', 'acquire_stream_slot', {
          user_id: 'u',
          session_id: 'after',
        })
      ).granted,
    ).toBe(true);
    expect((await h.cache.request('cache:v1', 'get', { key: 'k2' })).tier).toBe('memory');
  });
});
