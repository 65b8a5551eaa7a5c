/**
 * L1 (bounded LRU with TTL, driven by a fake clock) and L2 on the real Redis: refill of L1
 * from L2 for the remaining lifetime, deletes in both, invalidation between instances, and
 * L1 carrying on alone when Redis cannot be reached.
 */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeRedis, freePort, redisUrl } from '../../../../test/support/redis.ts';
import { TieredKv, type KvHooks } from '../kv.ts';
import { Lru } from '../lru.ts';
import type { Counter, TierName } from '../models.ts';

const counters = (): Record<TierName, Counter> => ({
  memory: { hits: 0, misses: 0 },
  redis: { hits: 0, misses: 0 },
  ssd: { hits: 0, misses: 0 },
  nas: { hits: 0, misses: 0 },
});
const hooks = (): KvHooks & { errors: unknown[]; invalidated: string[][] } => {
  const errors: unknown[] = [];
  const invalidated: string[][] = [];
  return {
    errors,
    invalidated,
    onL2Error: (e) => void errors.push(e),
    invalidate: (k) => void invalidated.push(k),
  };
};

describe('L1: LRU with TTL', () => {
  it('evicts the least recently used entry once over capacity; a hit makes an entry recent', () => {
    const lru = new Lru<number>(3);
    for (const k of ['a', 'b', 'c']) lru.set(k, k.charCodeAt(0), 60_000);
    expect(lru.get('a')?.value).toBe(97); // a is now the most recent
    lru.set('d', 100, 60_000); // evicts b, the least recent
    expect(lru.get('b')).toBeUndefined();
    expect(['a', 'c', 'd'].map((k) => lru.get(k)?.value)).toEqual([97, 99, 100]);
    // The reads above left the order a, c, d; rewriting c makes it a, d, c; e then evicts a.
    lru.set('c', 1, 60_000);
    lru.set('e', 2, 60_000);
    expect(lru.get('a')).toBeUndefined();
    expect(lru.get('c')?.value).toBe(1);
  });

  it('expires entries after their TTL, each with its own', () => {
    let now = 1_000;
    const lru = new Lru<string>(10, () => now);
    lru.set('short', 's', 100);
    lru.set('long', 'l', 10_000);
    now += 99;
    expect(lru.get('short')?.value).toBe('s');
    now += 1;
    expect(lru.get('short')).toBeUndefined();
    expect(lru.get('long')?.value).toBe('l');
    now += 10_000;
    expect(lru.get('long')).toBeUndefined();
  });

  it('keeps undefined and null as values (a hit, not a miss) and deletes', async () => {
    const kv = new TieredKv(10, undefined, 'x:', counters(), hooks());
    await kv.set('u', undefined, 60);
    await kv.set('n', null, 60);
    expect(await kv.get('u')).toEqual({ hit: true, value: undefined, tier: 'memory' });
    expect(await kv.get('n')).toEqual({ hit: true, value: null, tier: 'memory' });
    await kv.delete('n');
    expect(await kv.get('n')).toEqual({ hit: false, value: null, tier: null });
  });

  it('without Redis: TTL in seconds from set, hit and miss counts on the memory tier only', async () => {
    let now = 0;
    const stats = counters();
    const kv = new TieredKv(10, undefined, 'x:', stats, hooks(), () => now);
    await kv.set('k', { a: 1 }, 2);
    expect(await kv.get('k')).toEqual({ hit: true, value: { a: 1 }, tier: 'memory' });
    now = 2000;
    expect((await kv.get('k')).hit).toBe(false);
    expect(stats.memory).toEqual({ hits: 1, misses: 1 });
    expect(stats.redis).toEqual({ hits: 0, misses: 0 });
  });
});

describeRedis('L2 on the real Redis', () => {
  const prefix = `test:cache:${randomUUID()}:`;
  let a: Redis;
  let b: Redis;
  beforeAll(() => {
    a = new Redis(redisUrl);
    b = new Redis(redisUrl);
  });
  afterAll(async () => {
    const keys = await a.keys(`${prefix}*`);
    if (keys.length) await a.del(...keys);
    a.disconnect();
    b.disconnect();
  });

  it('a value set by one instance is an L2 hit for another, then an L1 hit there', async () => {
    const statsB = counters();
    const one = new TieredKv(10, a, prefix, counters(), hooks());
    const two = new TieredKv(10, b, prefix, statsB, hooks());
    await one.set('home:u1', { rows: [1, 2, 3] }, 600);
    const pttl = await a.pttl(`${prefix}home:u1`);
    expect(pttl).toBeGreaterThan(590_000);
    expect(pttl).toBeLessThanOrEqual(600_000);
    expect(await two.get('home:u1')).toEqual({
      hit: true,
      value: { rows: [1, 2, 3] },
      tier: 'redis',
    });
    expect(await two.get('home:u1')).toEqual({
      hit: true,
      value: { rows: [1, 2, 3] },
      tier: 'memory',
    });
    expect(await two.get('absent')).toEqual({ hit: false, value: null, tier: null });
    expect(statsB).toMatchObject({ memory: { hits: 1, misses: 2 }, redis: { hits: 1, misses: 1 } });
  });

  it('expires in Redis after its TTL, and L1 refilled from L2 does not outlive it', async () => {
    let now = Date.now();
    const one = new TieredKv(10, a, prefix, counters(), hooks());
    const two = new TieredKv(10, b, prefix, counters(), hooks(), () => now);
    await one.set('short', 'v', 1);
    expect((await two.get('short')).tier).toBe('redis');
    now += 1001; // two's L1 copy is past the value's expiry
    await new Promise((r) => setTimeout(r, 1050));
    expect(await a.exists(`${prefix}short`)).toBe(0);
    expect((await two.get('short')).hit).toBe(false);
  });

  it('delete removes from L1 and L2; writes announce the key for other instances', async () => {
    const h = hooks();
    const one = new TieredKv(10, a, prefix, counters(), h);
    const two = new TieredKv(10, b, prefix, counters(), hooks());
    await one.set('k', 1, 60);
    expect((await two.get('k')).value).toBe(1);
    await one.delete('k');
    expect(await one.get('k')).toMatchObject({ hit: false });
    expect(await a.exists(`${prefix}k`)).toBe(0);
    expect(h.invalidated).toEqual([['k'], ['k']]);
    // two still has its L1 copy until the invalidation reaches it (the block wires that to an
    // event).
    expect((await two.get('k')).tier).toBe('memory');
    two.l1.delete('k');
    expect((await two.get('k')).hit).toBe(false);
  });
});

describe('L2 unreachable', () => {
  let dead: Redis;
  beforeAll(async () => {
    const port = await freePort();
    dead = new Redis(`redis://127.0.0.1:${port}`, {
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
    });
    dead.on('error', () => {});
  });
  afterAll(() => dead.disconnect());

  it('answers from L1, counts an L2 miss and reports the error instead of failing', async () => {
    const h = hooks();
    const stats = counters();
    const kv = new TieredKv(10, dead, 'x:', stats, h);
    await kv.set('k', 'v', 60);
    expect(await kv.get('k')).toEqual({ hit: true, value: 'v', tier: 'memory' });
    expect(await kv.get('other')).toEqual({ hit: false, value: null, tier: null });
    await kv.delete('k');
    expect(h.errors.length).toBe(3); // set, get of "other", delete
    expect(h.invalidated).toEqual([]); // nothing reached L2, nothing to announce
    expect(stats.redis.misses).toBe(1);
  });
});
