/**
 * Durable delivery, written once and run on both transports: the in-memory log and Redis
 * Streams on the real Redis. Then the Redis-only cases: a consumer that dies holding a message,
 * garbage written straight into a stream, a stream that vanished (Redis lost its data), and a
 * group that joins after messages were published.
 */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createBus, type BusConfig } from '../../../src/orchestration/bus/index.ts';
import { durableKeys } from '../../../src/orchestration/bus/redis-streams.ts';
import { FrameSigner } from '../../../src/orchestration/bus/signing.ts';
import type { DurableMeta, MessageBus } from '../../../src/orchestration/bus/types.ts';
import type { Envelope } from '../../../src/orchestration/message.ts';
import {
  makeEnvelope,
  recordingObserver,
  uniqueChannel,
  type RecordingObserver,
} from '../../support/bus.ts';
import {
  describeRedis,
  describeRedisServer,
  redisUrl,
  startThrowawayRedis,
  testBusSecret,
  type ThrowawayRedis,
} from '../../support/redis.ts';
import { waitFor } from '../../support/wait.ts';

const fast = { maxDeliveries: 3, retryDelaysMs: [20, 40] };

function collector() {
  const got: Array<{ payload: unknown; meta: DurableMeta }> = [];
  return {
    got,
    handler: (m: Envelope, meta: DurableMeta) => void got.push({ payload: m.payload, meta }),
  };
}

/** Buses opened by a test (with fast retries and a fresh recording observer), closed after it. */
function busFixture(config: () => BusConfig) {
  const buses: MessageBus[] = [];
  let observer = recordingObserver();
  beforeEach(() => {
    observer = recordingObserver();
  });
  afterEach(async () => {
    await Promise.all(buses.splice(0).map((b) => b.close()));
  });
  return {
    observer: () => observer,
    async open(): Promise<MessageBus> {
      const bus = createBus({ ...config(), durable: fast }, observer);
      await bus.connect();
      buses.push(bus);
      return bus;
    },
  };
}

function durableSuite(name: string, config: () => BusConfig): void {
  describe(`durable delivery: ${name}`, () => {
    const fixture = busFixture(config);
    const open = fixture.open.bind(fixture);
    let observer: RecordingObserver;
    beforeEach(() => {
      observer = fixture.observer();
    });

    it('reaches live subscribers and every consumer group once each, in order', async () => {
      const bus = await open();
      const channel = uniqueChannel('durable');
      const live: unknown[] = [];
      await bus.subscribe(channel, (m) => void live.push(m.payload));
      const a = collector();
      const b = collector();
      await bus.consume(channel, 'group-a', 'c1', a.handler);
      await bus.consume(channel, 'group-b', 'c1', b.handler);
      for (let i = 0; i < 50; i++) await bus.publishDurable(channel, makeEnvelope({ i }));
      await waitFor(() => a.got.length === 50 && b.got.length === 50 && live.length === 50, 5000, {
        message: '50 messages to each',
      });
      const expected = Array.from({ length: 50 }, (_, i) => ({ i }));
      expect(a.got.map((g) => g.payload)).toEqual(expected);
      expect(b.got.map((g) => g.payload)).toEqual(expected);
      expect(live).toEqual(expected);
      expect(new Set(a.got.map((g) => g.meta.id)).size).toBe(50);
      expect(a.got.every((g) => g.meta.deliveries === 1)).toBe(true);
      expect(bus.counters().durable_handled).toBe(100);
    });

    it('keeps what is published while the group has no consumer, and delivers it when one returns', async () => {
      const bus = await open();
      const channel = uniqueChannel('durable');
      const first = collector();
      const leave = await bus.consume(channel, 'worker', 'c1', first.handler);
      await bus.publishDurable(channel, makeEnvelope({ n: 1 }));
      await waitFor(() => first.got.length === 1, 5000);
      await leave();
      for (let n = 2; n <= 4; n++) await bus.publishDurable(channel, makeEnvelope({ n }));
      await new Promise((r) => setTimeout(r, 50));
      expect(first.got).toHaveLength(1); // nobody consumed them meanwhile
      const back = collector();
      await bus.consume(channel, 'worker', 'c1', back.handler);
      await waitFor(() => back.got.length === 3, 5000, { message: 'the three missed messages' });
      expect(back.got.map((g) => g.payload)).toEqual([{ n: 2 }, { n: 3 }, { n: 4 }]);
    });

    it('works off a backlog of 3000 messages complete and in order', async () => {
      const bus = await open();
      const channel = uniqueChannel('durable');
      const leave = await bus.consume(channel, 'bulk', 'c1', () => {});
      await leave(); // the group exists; nobody consumes
      for (let i = 0; i < 3000; i++) await bus.publishDurable(channel, makeEnvelope({ i }));
      const seen: number[] = [];
      await bus.consume(
        channel,
        'bulk',
        'c1',
        (m) => void seen.push((m.payload as { i: number }).i),
      );
      await waitFor(() => seen.length === 3000, 10_000, { message: 'the whole backlog' });
      expect(seen).toEqual(Array.from({ length: 3000 }, (_, i) => i));
    });

    it('delivers a failing message again until it succeeds, and only once after that', async () => {
      const bus = await open();
      const channel = uniqueChannel('durable');
      const seen: number[] = [];
      const done: unknown[] = [];
      await bus.consume(channel, 'g', 'c1', (m, meta) => {
        seen.push(meta.deliveries);
        if ((m.payload as { flaky?: boolean }).flaky && meta.deliveries < 3)
          throw new Error(`not yet (${meta.deliveries})`);
        done.push(m.payload);
      });
      await bus.publishDurable(channel, makeEnvelope({ flaky: true }));
      await bus.publishDurable(channel, makeEnvelope({ after: true }));
      await waitFor(() => done.length === 2, 5000);
      expect(seen).toEqual([1, 2, 3, 1]);
      expect(done).toEqual([{ flaky: true }, { after: true }]); // order kept behind the retried one
      expect(bus.counters()).toMatchObject({
        durable_handled: 2,
        durable_retried: 2,
        durable_dead_lettered: 0,
      });
      expect(observer.handlerErrors).toHaveLength(2);
    });

    it('dead-letters a message that keeps failing, with the reason, and goes on with the next', async () => {
      const bus = await open();
      const channel = uniqueChannel('durable');
      const ok: unknown[] = [];
      await bus.consume(channel, 'g', 'c1', (m) => {
        if ((m.payload as { poison?: boolean }).poison) throw new Error('cannot handle this one');
        ok.push(m.payload);
      });
      await bus.publishDurable(channel, makeEnvelope({ poison: true }));
      await bus.publishDurable(channel, makeEnvelope({ fine: 1 }));
      await waitFor(() => ok.length === 1, 5000);
      expect(bus.counters().durable_dead_lettered).toBe(1);
      const dead = await bus.deadLetters(channel);
      expect(dead).toHaveLength(1);
      expect(dead[0]).toMatchObject({
        channel,
        group: 'g',
        deliveries: 3,
        error: 'cannot handle this one',
      });
      expect(dead[0].raw).toContain('"poison":true');
    });

    it('replays a dead letter to the group that failed on it, and to no other group', async () => {
      const bus = await open();
      const channel = uniqueChannel('durable');
      let broken = true;
      const fixed: unknown[] = [];
      const other = collector();
      await bus.consume(channel, 'flaky', 'c1', (m) => {
        if (broken) throw new Error('store offline');
        fixed.push(m.payload);
      });
      await bus.consume(channel, 'steady', 'c1', other.handler);
      await bus.publishDurable(channel, makeEnvelope({ order: 7 }));
      await waitFor(
        async () => (await bus.deadLetters(channel)).length === 1 && other.got.length === 1,
        5000,
        { message: 'dead-lettered for one group' },
      );
      const [letter] = await bus.deadLetters(channel);
      broken = false; // the cause is fixed
      expect(await bus.replayDeadLetter(channel, 'flaky', letter.id)).toBe(true);
      await waitFor(() => fixed.length === 1, 5000, { message: 'the replayed message' });
      expect(fixed).toEqual([{ order: 7 }]);
      await bus.publishDurable(channel, makeEnvelope({ order: 8 })); // a later message: both groups
      await waitFor(() => fixed.length === 2 && other.got.length === 2, 5000);
      // the replay did not reach it
      expect(other.got.map((g) => g.payload)).toEqual([{ order: 7 }, { order: 8 }]);
      expect(await bus.deadLetters(channel)).toEqual([]);
      // already replayed
      expect(await bus.replayDeadLetter(channel, 'flaky', letter.id)).toBe(false);
      expect(await bus.replayDeadLetter(channel, 'nobody', letter.id)).toBe(false);
    });

    it('drops malformed envelopes at publish time, counted, never delivered', async () => {
      const bus = await open();
      const channel = uniqueChannel('durable');
      const c = collector();
      await bus.consume(channel, 'g', 'c1', c.handler);
      await bus.publishDurable(channel, { ...makeEnvelope({}), source_block: '' });
      await bus.publishDurable(channel, makeEnvelope({ good: true }));
      await waitFor(() => c.got.length === 1, 5000);
      expect(c.got[0].payload).toEqual({ good: true });
      expect(bus.counters().dropped).toBe(1);
    });
  });
}

durableSuite('memory', () => ({ kind: 'memory' }));

describeRedis('durable delivery on Redis Streams', () => {
  const namespace = `t${randomUUID().slice(0, 12)}`;
  const config = (): BusConfig => ({
    kind: 'redis',
    url: redisUrl,
    namespace,
    secret: testBusSecret,
  });
  const keys = durableKeys(namespace);
  const raw = new Redis(redisUrl, { lazyConnect: true });
  afterAll(async () => {
    const left = await raw.keys(`${namespace}:*`);
    if (left.length) await raw.del(...left);
    raw.disconnect();
  });

  durableSuite('redis', config);

  describe('Redis only', () => {
    const fixture = busFixture(config);
    const open = fixture.open.bind(fixture);
    let observer: RecordingObserver;
    beforeEach(() => {
      observer = fixture.observer();
    });

    it('a consumer that dies holding a message gets it again when it comes back under the same name', async () => {
      const channel = uniqueChannel('crash');
      const first = await open();
      let started = 0;
      await first.consume(channel, 'g', 'stable-name', () => {
        started++;
        return new Promise(() => {}); // never finishes: the process "dies" in the middle
      });
      await first.publishDurable(channel, makeEnvelope({ job: 1 }));
      await waitFor(() => started === 1, 5000);
      await first.close(); // without acknowledging
      expect((await raw.xpending(keys.stream(channel), 'g'))[0]).toBe(1);

      const second = await open();
      const c = collector();
      await second.consume(channel, 'g', 'stable-name', c.handler);
      await waitFor(() => c.got.length === 1, 5000, {
        message: 'the unacknowledged message, redelivered',
      });
      expect(c.got[0].payload).toEqual({ job: 1 });
      expect(c.got[0].meta.deliveries).toBe(2);
      await waitFor(async () => (await raw.xpending(keys.stream(channel), 'g'))[0] === 0, 5000, {
        message: 'acknowledged',
      });
    });

    it('a group that joins later still receives what was published before it existed', async () => {
      const bus = await open();
      const channel = uniqueChannel('late');
      await bus.publishDurable(channel, makeEnvelope({ early: true }));
      const c = collector();
      await bus.consume(channel, 'late-group', 'c1', c.handler);
      await waitFor(() => c.got.length === 1, 5000);
      expect(c.got[0].payload).toEqual({ early: true });
    });

    it('drops garbage written straight into a stream (unsigned, wrongly signed, not JSON), acknowledges it and goes on', async () => {
      const bus = await open();
      const channel = uniqueChannel('garbage');
      const c = collector();
      await bus.consume(channel, 'g', 'c1', c.handler);
      const key = keys.stream(channel);
      const json = JSON.stringify(makeEnvelope({ forged: true }));
      await raw.xadd(key, '*', 'f', json); // unsigned
      await raw.xadd(key, '*', 'f', new FrameSigner('x'.repeat(32)).sign(json)); // another secret
      // signed garbage
      await raw.xadd(key, '*', 'f', new FrameSigner(testBusSecret).sign('{not json'));
      await raw.xadd(key, '*', 'other', 'field'); // no frame at all
      await bus.publishDurable(channel, makeEnvelope({ real: true }));
      await waitFor(() => c.got.length === 1, 5000);
      expect(c.got[0].payload).toEqual({ real: true });
      expect(observer.drops.map((d) => d.reason)).toEqual([
        'missing or wrong signature',
        'missing or wrong signature',
        'message is not valid JSON',
      ]);
      await waitFor(async () => (await raw.xpending(key, 'g'))[0] === 0, 5000, {
        message: 'garbage acknowledged too',
      });
    });

    it('recreates its group when Redis lost the stream, and keeps receiving', async () => {
      const bus = await open();
      const channel = uniqueChannel('lost');
      const c = collector();
      await bus.consume(channel, 'g', 'c1', c.handler);
      await bus.publishDurable(channel, makeEnvelope({ n: 1 }));
      await waitFor(() => c.got.length === 1, 5000);
      await raw.del(keys.stream(channel)); // what a restart without persistence does
      await waitFor(
        async () => {
          await bus.publishDurable(channel, makeEnvelope({ n: 2 }));
          return c.got.some((g) => (g.payload as { n: number }).n === 2);
        },
        8000,
        { intervalMs: 300, message: 'delivery after the stream was lost' },
      );
    });

    it('records each handled message so that a completed one is counted if it ever runs again', async () => {
      const bus = await open();
      const channel = uniqueChannel('done');
      const c = collector();
      await bus.consume(channel, 'g', 'c1', c.handler);
      await bus.publishDurable(channel, makeEnvelope({ once: true }));
      await waitFor(() => c.got.length === 1, 5000);
      const id = c.got[0].meta.id;
      await waitFor(async () => (await raw.exists(keys.done(channel, 'g', id))) === 1, 5000, {
        message: 'done record',
      });
      expect(await raw.ttl(keys.done(channel, 'g', id))).toBeGreaterThan(23 * 3600);
      expect(await raw.hget(keys.duplicates, 'g')).toBeNull();
    });
  });
});

describeRedisServer('durable delivery through a Redis restart (AOF)', () => {
  let redis: ThrowawayRedis;
  beforeAll(async () => {
    redis = await startThrowawayRedis(5000, { persistent: true });
  });
  afterAll(() => redis?.remove());

  it('a message handled just before Redis went away is acknowledged when it returns, and never handled again', async () => {
    const bus = createBus(
      { kind: 'redis', url: redis.url, namespace: 'aof', secret: testBusSecret, durable: fast },
      recordingObserver(),
    );
    await bus.connect();
    const keys = durableKeys('aof');
    const channel = uniqueChannel('aof');
    const handled: number[] = [];
    let outage: Promise<void> | undefined;
    try {
      await bus.consume(channel, 'g', 'c1', async (m) => {
        const n = (m.payload as { n: number }).n;
        handled.push(n);
        // The handler's work is done; Redis goes away before its acknowledgement can be written.
        if (n === 1) {
          outage = redis.stop();
          await outage;
        }
      });
      await bus.publishDurable(channel, makeEnvelope({ n: 1 }));
      await waitFor(() => handled.length === 1 && outage !== undefined, 5000);
      await outage;
      await new Promise((r) => setTimeout(r, 500)); // the reader notices and the ack keeps retrying
      await redis.start();
      await waitFor(
        async () => {
          try {
            await bus.publishDurable(channel, makeEnvelope({ n: 2 }));
            return true;
          } catch {
            return false; // still reconnecting
          }
        },
        10_000,
        { intervalMs: 200, message: 'publishing again after the restart' },
      );
      await waitFor(() => handled.includes(2), 10_000, { message: 'the next message' });
      await new Promise((r) => setTimeout(r, 300));
      expect(handled).toEqual([1, 2]); // message 1 was not handled a second time
      const raw = new Redis(redis.url);
      try {
        expect((await raw.xpending(keys.stream(channel), 'g'))[0]).toBe(0);
        expect(await raw.hget(keys.duplicates, 'g')).toBeNull();
      } finally {
        raw.disconnect();
      }
    } finally {
      await bus.close();
    }
  }, 30_000);
});
