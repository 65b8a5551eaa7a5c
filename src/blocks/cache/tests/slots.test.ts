/**
 * Stream slots: one suite run against the memory store and the Redis store (real server,
 * unique key prefix per test), plus Redis-only checks: two connections on one prefix acquiring
 * concurrently never pass the limits, and the fallback to this process when Redis is away.
 */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeRedis, freePort, redisUrl } from '../../../../test/support/redis.ts';
import { waitFor } from '../../../../test/support/wait.ts';
import {
  FallbackSlotStore,
  MemorySlotStore,
  RedisSlotStore,
  Slots,
  type SlotLimits,
} from '../slots.ts';

const DEFAULTS: SlotLimits = { maxPerUser: 3, maxTotal: 20, idleMs: 60_000 };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** `world()` starts a fresh, empty slot world for one test and returns how to open stores in it. */
function slotSuite(name: string, world: () => (limits: SlotLimits) => Slots) {
  describe(`slots (${name})`, () => {
    it('with the default limits: the 4th session of a user is refused with user_limit, the 21st overall with global_limit', async () => {
      const slots = world()(DEFAULTS);
      for (const s of ['s1', 's2', 's3'])
        expect(await slots.acquire('alice', s)).toMatchObject({
          granted: true,
          reason: null,
          limit: null,
          queue_position: null,
        });
      expect(await slots.acquire('alice', 's4')).toEqual({
        granted: false,
        reason: 'user_limit',
        limit: 3,
        queue_position: 1,
        active_for_user: 3,
        active_total: 3,
      });
      for (let u = 1; u <= 17; u++)
        expect((await slots.acquire(`user${u}`, `s-${u}`)).granted, `user${u}`).toBe(true);
      expect(await slots.active()).toBe(20);
      expect(await slots.acquire('late', 'x')).toEqual({
        granted: false,
        reason: 'global_limit',
        limit: 20,
        queue_position: 1,
        active_for_user: 0,
        active_total: 20,
      });
      // Both limits reached: the user's own limit is the reason given.
      expect((await slots.acquire('alice', 's5')).reason).toBe('user_limit');
    });

    it('acquiring again for a session that holds a slot is granted without counting twice', async () => {
      const slots = world()({ ...DEFAULTS, maxPerUser: 2 });
      expect(await slots.acquire('bob', 'play-1')).toMatchObject({
        granted: true,
        active_for_user: 1,
        active_total: 1,
      });
      for (let i = 0; i < 5; i++)
        expect(await slots.acquire('bob', 'play-1')).toMatchObject({
          granted: true,
          active_for_user: 1,
          active_total: 1,
        });
      expect((await slots.acquire('bob', 'play-2')).granted).toBe(true);
      // Full now, but a session that already holds its slot is still let through.
      expect((await slots.acquire('bob', 'play-3')).granted).toBe(false);
      expect((await slots.acquire('bob', 'play-1')).granted).toBe(true);
    });

    it('a released slot is reusable; release and touch of unknown sessions are harmless', async () => {
      const slots = world()({ ...DEFAULTS, maxPerUser: 1, maxTotal: 2 });
      expect((await slots.acquire('carol', 'a')).granted).toBe(true);
      expect((await slots.acquire('dave', 'b')).granted).toBe(true);
      expect(await slots.acquire('erin', 'c')).toMatchObject({
        granted: false,
        reason: 'global_limit',
        queue_position: 1,
      });
      await slots.release('dave', 'b');
      await slots.release('dave', 'b');
      await slots.release('nobody', 'zzz');
      expect(await slots.touch('dave', 'b')).toBe(false);
      expect(await slots.active()).toBe(1);
      expect((await slots.acquire('erin', 'c')).granted).toBe(true);
      await slots.release('carol', 'a');
      expect((await slots.acquire('carol', 'other')).granted).toBe(true);
    });

    it('counts slots per user: a session id is only the same slot for the same user', async () => {
      const slots = world()({ ...DEFAULTS, maxPerUser: 1 });
      expect((await slots.acquire('u1', 'same')).granted).toBe(true);
      expect(await slots.acquire('u2', 'same')).toMatchObject({
        granted: true,
        active_for_user: 1,
        active_total: 2,
      });
      await slots.release('u1', 'same');
      expect(await slots.touch('u2', 'same')).toBe(true);
    });

    it('a session with no touch for idleMs gives its slot back; a touched one keeps it', async () => {
      const slots = world()({ maxPerUser: 2, maxTotal: 2, idleMs: 400 });
      await slots.acquire('fay', 'kept');
      await slots.acquire('fay', 'left');
      expect((await slots.acquire('gus', 'waiting')).reason).toBe('global_limit');
      for (let i = 0; i < 5; i++) {
        await sleep(100);
        expect(await slots.touch('fay', 'kept')).toBe(true);
      }
      // 'left' has been silent for ~500 ms > idleMs: its slot is free again, 'kept' still holds.
      expect(await slots.touch('fay', 'left')).toBe(false);
      expect(await slots.acquire('gus', 'waiting')).toMatchObject({
        granted: true,
        active_total: 2,
      });
      expect(await slots.acquire('fay', 'again')).toMatchObject({
        granted: false,
        reason: 'global_limit',
      });
      await waitFor(async () => (await slots.active()) === 0, 2000, { message: 'every slot idle' });
    });
  });
}

slotSuite('memory', () => (l) => new Slots(new MemorySlotStore(l), l));

describeRedis('Redis slot store', () => {
  const connections: Redis[] = [];
  const prefixes: string[] = [];
  let prefix = '';
  const connect = () => {
    const r = new Redis(redisUrl);
    connections.push(r);
    return r;
  };
  beforeAll(() => {
    connect();
  });
  afterAll(async () => {
    for (const p of prefixes) {
      const keys = await connections[0].keys(`${p}*`);
      if (keys.length) await connections[0].del(...keys);
    }
    for (const c of connections) c.disconnect();
  });
  const fresh = () => {
    prefix = `test:slots:${randomUUID()}:`;
    prefixes.push(prefix);
  };
  slotSuite('redis', () => {
    fresh();
    const world = prefix;
    return (l) => new Slots(new RedisSlotStore(connect(), world, l), l);
  });

  it('a refusal under a lowered limit says how many must leave first (processes with different limits share one store)', async () => {
    fresh();
    const five = { ...DEFAULTS, maxPerUser: 5 };
    const two = { ...DEFAULTS, maxPerUser: 2 };
    const before = new Slots(new RedisSlotStore(connect(), prefix, five), five);
    for (const s of ['a', 'b', 'c', 'd', 'e'])
      expect((await before.acquire('hal', s)).granted).toBe(true);
    const after = new Slots(new RedisSlotStore(connect(), prefix, two), two);
    expect(await after.acquire('hal', 'f')).toEqual({
      granted: false,
      reason: 'user_limit',
      limit: 2,
      queue_position: 4,
      active_for_user: 5,
      active_total: 5,
    });
    expect((await after.acquire('hal', 'a')).granted).toBe(true); // a held session keeps its slot
  });

  it('two connections on one prefix, acquiring concurrently, never pass the limits', async () => {
    fresh();
    const limits = { maxPerUser: 3, maxTotal: 20, idleMs: 60_000 };
    const one = new Slots(new RedisSlotStore(connect(), prefix, limits), limits);
    const two = new Slots(new RedisSlotStore(connect(), prefix, limits), limits);
    // 60 users × 2 sessions, half through each connection, all at once.
    const asks = Array.from({ length: 120 }, (_, i) =>
      (i % 2 ? one : two).acquire(`user${i % 60}`, `s${i}`),
    );
    const answers = await Promise.all(asks);
    expect(answers.filter((a) => a.granted)).toHaveLength(20);
    expect(Math.max(...answers.map((a) => a.active_total))).toBe(20);
    expect(await one.active()).toBe(20);
    // One user, 10 sessions at once from both: exactly 3 get in.
    fresh();
    const three = new Slots(new RedisSlotStore(connect(), prefix, limits), limits);
    const four = new Slots(new RedisSlotStore(connect(), prefix, limits), limits);
    const same = await Promise.all(
      Array.from({ length: 10 }, (_, i) => (i % 2 ? three : four).acquire('greedy', `s${i}`)),
    );
    expect(same.filter((a) => a.granted)).toHaveLength(3);
    expect(same.filter((a) => !a.granted).every((a) => a.reason === 'user_limit')).toBe(true);
  });

  it('falls back to this process while Redis cannot answer, and gives those slots back', async () => {
    fresh();
    const limits = { maxPerUser: 1, maxTotal: 20, idleMs: 60_000 };
    const port = await freePort();
    const dead = new Redis(`redis://127.0.0.1:${port}`, {
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
    });
    dead.on('error', () => {});
    connections.push(dead);
    const errors: unknown[] = [];
    const local = new MemorySlotStore(limits);
    const down = new Slots(
      new FallbackSlotStore(
        new RedisSlotStore(dead, prefix, limits),
        local,
        (e) => void errors.push(e),
      ),
      limits,
    );
    expect((await down.acquire('ivy', 'a')).granted).toBe(true);
    // still enforced, per process
    expect((await down.acquire('ivy', 'b')).reason).toBe('user_limit');
    expect(await down.touch('ivy', 'a')).toBe(true);
    expect(errors.length).toBeGreaterThan(0);
    await down.release('ivy', 'a');
    expect((await down.acquire('ivy', 'b')).granted).toBe(true);

    // With Redis up, the shared store decides, and a slot held only locally stays alive.
    const up = new Slots(
      new FallbackSlotStore(new RedisSlotStore(connect(), prefix, limits), local, () => {}),
      limits,
    );
    expect(await up.touch('ivy', 'b')).toBe(true);
    expect((await up.acquire('ivy', 'c')).granted).toBe(true); // Redis did not know b
    expect((await up.acquire('ivy', 'd')).reason).toBe('user_limit');
  });
});
