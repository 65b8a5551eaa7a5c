/**
 * The message-bus contract, written once (`busSuite`) and run against every transport:
 * MemoryBus in-process and RedisBus against the real Redis at WSOPTV_TEST_REDIS_URL
 * (default redis://127.0.0.1:6379). No mocks: a message either arrives through the transport
 * or the test fails. Every test uses channels of its own, so runs sharing one Redis never meet.
 *
 * "Nothing else arrived" is never checked with a sleep: a later message that must travel the
 * same ordered path (same publisher connection, same subscriber connection) is awaited instead,
 * so anything that was going to arrive earlier already has.
 */
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createBus } from '../../../src/orchestration/bus/index.ts';
import type { MessageBus } from '../../../src/orchestration/bus/types.ts';
import { BlockError } from '../../../src/orchestration/errors.ts';
import type { Envelope } from '../../../src/orchestration/message.ts';
import {
  makeEnvelope,
  recordingObserver,
  uniqueChannel,
  type RecordingObserver,
} from '../../support/bus.ts';
import { describeRedis, freePort, redisUrl } from '../../support/redis.ts';
import { waitFor } from '../../support/wait.ts';

const ENVELOPE_FIELDS = [
  'correlation_id',
  'event_type',
  'payload',
  'source_block',
  'target_block',
  'timestamp',
];

type MakeBus = (observer: RecordingObserver) => MessageBus;

/** Records what a handler received. */
function recorder() {
  const received: Envelope[] = [];
  const handler = (m: Envelope) => {
    received.push(m);
  };
  return { received, handler };
}

function busSuite(name: string, makeBus: MakeBus): void {
  describe(`MessageBus contract: ${name}`, () => {
    let observer: RecordingObserver;
    let bus: MessageBus;

    beforeEach(() => {
      observer = recordingObserver();
      bus = makeBus(observer);
    });

    afterEach(async () => {
      if (bus.state() !== 'closed') await bus.close();
    });

    it('connect() moves the state from connecting to connected', async () => {
      expect(bus.state()).toBe('connecting');
      await bus.connect();
      expect(bus.state()).toBe('connected');
    });

    it('delivers the exact envelope, all six fields, to a subscriber', async () => {
      await bus.connect();
      const channel = uniqueChannel('roundtrip');
      const { received, handler } = recorder();
      await bus.subscribe(channel, handler);

      const targeted = makeEnvelope({
        n: 1,
        nested: { list: [1, 'two', null], flag: true },
        text: 'ünïcødé ♠',
      });
      const broadcast = makeEnvelope('plain string payload', {
        target_block: null,
        source_block: 'block-z',
        event_type: 'other.event',
      });
      await bus.publish(channel, targeted);
      await bus.publish(channel, broadcast);
      await waitFor(() => received.length === 2, 5000, { message: 'both envelopes delivered' });

      expect(received[0]).toEqual(targeted);
      expect(received[1]).toEqual(broadcast);
      for (const m of received) expect(Object.keys(m).sort()).toEqual(ENVELOPE_FIELDS);
      expect(received[1].target_block).toBeNull();
      expect(received[0].correlation_id).toBe(targeted.correlation_id);
      expect(received[0].timestamp).toBe(targeted.timestamp);
    });

    it('delivers to every handler subscribed to one channel', async () => {
      await bus.connect();
      const channel = uniqueChannel('fanout');
      const handlers = [recorder(), recorder(), recorder()];
      for (const h of handlers) await bus.subscribe(channel, h.handler);

      const message = makeEnvelope({ fan: 'out' });
      await bus.publish(channel, message);
      await waitFor(() => handlers.every((h) => h.received.length === 1), 5000, {
        message: 'all three handlers called',
      });

      for (const h of handlers) expect(h.received).toEqual([message]);
      expect(bus.counters().delivered).toBe(3);
    });

    it('isolates a handler that throws and one that rejects: the others still receive, errors are counted and reported', async () => {
      await bus.connect();
      const channel = uniqueChannel('isolation');
      const before = recorder();
      const after = recorder();
      const syncError = new Error('handler threw synchronously');
      const asyncError = new Error('handler rejected');
      await bus.subscribe(channel, before.handler);
      await bus.subscribe(channel, () => {
        throw syncError;
      });
      await bus.subscribe(channel, async () => {
        await Promise.resolve();
        throw asyncError;
      });
      await bus.subscribe(channel, after.handler);

      const first = makeEnvelope({ n: 1 });
      await bus.publish(channel, first);
      await waitFor(
        () => after.received.length === 1 && observer.handlerErrors.length === 2,
        5000,
        {
          message: 'good handlers called and two handler errors reported',
        },
      );

      expect(before.received).toEqual([first]);
      expect(after.received).toEqual([first]);
      expect(bus.counters().handler_errors).toBe(2);
      const errors = observer.handlerErrors.map((e) => e.error);
      expect(errors).toContain(syncError);
      expect(errors).toContain(asyncError);
      for (const e of observer.handlerErrors) {
        expect(e.channel).toBe(channel);
        expect(e.message).toEqual(first);
      }

      // The bus is not poisoned: the next message goes through the same way.
      const second = makeEnvelope({ n: 2 });
      await bus.publish(channel, second);
      await waitFor(
        () => after.received.length === 2 && observer.handlerErrors.length === 4,
        5000,
        { message: 'second message handled' },
      );
      expect(before.received).toEqual([first, second]);
      expect(bus.counters().handler_errors).toBe(4);
      expect(bus.counters().delivered).toBe(8);
    });

    it('stops delivering to a handler once it unsubscribes, also after the last handler left', async () => {
      await bus.connect();
      const channel = uniqueChannel('unsubscribe');
      const h1 = recorder();
      const h2 = recorder();
      const unsubscribe1 = await bus.subscribe(channel, h1.handler);
      const unsubscribe2 = await bus.subscribe(channel, h2.handler);

      const m0 = makeEnvelope({ n: 0 });
      await bus.publish(channel, m0);
      await waitFor(() => h1.received.length === 1 && h2.received.length === 1, 5000, {
        message: 'both handlers got m0',
      });

      await unsubscribe1();
      const m1 = makeEnvelope({ n: 1 });
      await bus.publish(channel, m1);
      await waitFor(() => h2.received.length === 2, 5000, { message: 'h2 got m1' });
      expect(h1.received).toEqual([m0]);
      expect(h2.received).toEqual([m0, m1]);

      // Last handler leaves; a newcomer on the same channel sees only what comes after it.
      await unsubscribe2();
      const h3 = recorder();
      await bus.subscribe(channel, h3.handler);
      const m2 = makeEnvelope({ n: 2 });
      await bus.publish(channel, m2);
      await waitFor(() => h3.received.length === 1, 5000, { message: 'h3 got m2' });
      expect(h3.received).toEqual([m2]);
      expect(h1.received).toEqual([m0]);
      expect(h2.received).toEqual([m0, m1]);
    });

    it('keeps channels isolated', async () => {
      await bus.connect();
      const channelA = uniqueChannel('iso-a');
      const channelB = uniqueChannel('iso-b');
      const a = recorder();
      const b = recorder();
      await bus.subscribe(channelA, a.handler);
      await bus.subscribe(channelB, b.handler);

      const forB = makeEnvelope({ to: 'b' });
      const forA = makeEnvelope({ to: 'a' });
      await bus.publish(channelB, forB);
      await bus.publish(channelA, forA);
      await waitFor(() => a.received.length === 1 && b.received.length === 1, 5000, {
        message: 'each channel got its message',
      });

      expect(a.received).toEqual([forA]);
      expect(b.received).toEqual([forB]);
    });

    it('counts published and delivered messages', async () => {
      await bus.connect();
      expect(bus.counters()).toMatchObject({
        published: 0,
        delivered: 0,
        dropped: 0,
        handler_errors: 0,
        durable_handled: 0,
        durable_dead_lettered: 0,
      });
      const channel = uniqueChannel('counters');
      const h1 = recorder();
      const h2 = recorder();
      await bus.subscribe(channel, h1.handler);
      await bus.subscribe(channel, h2.handler);

      // Nobody listens here: published, never delivered.
      await bus.publish(uniqueChannel('nobody'), makeEnvelope({ lonely: true }));
      for (let i = 0; i < 3; i++) await bus.publish(channel, makeEnvelope({ i }));
      await waitFor(() => h1.received.length === 3 && h2.received.length === 3, 5000, {
        message: 'three messages to two handlers',
      });

      expect(bus.counters()).toMatchObject({
        published: 4,
        delivered: 6,
        dropped: 0,
        handler_errors: 0,
      });
      // counters() hands out a copy, not the live object.
      const snapshot = bus.counters();
      snapshot.published = 999;
      expect(bus.counters().published).toBe(4);
    });

    it('drops malformed envelopes, counts them and tells the observer why', async () => {
      await bus.connect();
      const channel = uniqueChannel('malformed');
      const { received, handler } = recorder();
      await bus.subscribe(channel, handler);

      const { correlation_id: _omitted, ...withoutCorrelation } = makeEnvelope({ bad: 1 });
      const badTimestamp = makeEnvelope({ bad: 2 }, { timestamp: 'yesterday-ish' });
      await bus.publish(channel, withoutCorrelation as unknown as Envelope);
      await bus.publish(channel, badTimestamp);
      await bus.publish(channel, 42 as unknown as Envelope);
      const valid = makeEnvelope({ good: true });
      await bus.publish(channel, valid);

      await waitFor(() => received.length === 1 && observer.drops.length === 3, 5000, {
        message: 'valid message delivered, three dropped',
      });
      expect(received).toEqual([valid]);
      expect(bus.counters().dropped).toBe(3);
      expect(bus.counters().delivered).toBe(1);
      expect(observer.drops.map((d) => d.channel)).toEqual([channel, channel, channel]);
      expect(observer.drops[0].reason).toMatch(/correlation_id/);
      expect(observer.drops[1].reason).toMatch(/timestamp/);
      expect(observer.drops[2].reason).toMatch(/not an object/);
    });

    it('delivers a burst of 1000 messages on one channel, all of them, in order', async () => {
      await bus.connect();
      const channel = uniqueChannel('burst');
      const seen: number[] = [];
      await bus.subscribe(channel, (m) => {
        seen.push((m.payload as { seq: number }).seq);
      });

      const total = 1000;
      await Promise.all(
        Array.from({ length: total }, (_, seq) => bus.publish(channel, makeEnvelope({ seq }))),
      );
      await waitFor(() => seen.length >= total, 10_000, { message: `${total} messages delivered` });

      expect(seen).toEqual(Array.from({ length: total }, (_, i) => i));
      expect(bus.counters()).toMatchObject({ published: total, delivered: total, dropped: 0 });
    });

    it('close() moves the state to closed', async () => {
      await bus.connect();
      await bus.close();
      expect(bus.state()).toBe('closed');
    });
  });
}

// -------------------------------------------------------------------------------------------------
// Transports
// -------------------------------------------------------------------------------------------------

busSuite('memory', (observer) => {
  const bus = createBus({ kind: 'memory' }, observer);
  expect(bus.kind).toBe('memory');
  return bus;
});

describeRedis('RedisBus against a real Redis', () => {
  busSuite('redis', (observer) => {
    const bus = createBus({ kind: 'redis', url: redisUrl, connectTimeoutMs: 3000 }, observer);
    expect(bus.kind).toBe('redis');
    return bus;
  });

  describe('Redis wire behaviour', () => {
    // Plain clients, independent of the bus, to see and write what actually travels.
    let rawPub: Redis;
    let rawSub: Redis;
    let observer: RecordingObserver;
    let bus: MessageBus;

    beforeAll(async () => {
      rawPub = new Redis(redisUrl, { lazyConnect: true });
      rawSub = new Redis(redisUrl, { lazyConnect: true });
      await Promise.all([rawPub.connect(), rawSub.connect()]);
    });

    afterAll(async () => {
      await Promise.allSettled([rawPub.quit(), rawSub.quit()]);
    });

    beforeEach(async () => {
      observer = recordingObserver();
      bus = createBus({ kind: 'redis', url: redisUrl, connectTimeoutMs: 3000 }, observer);
      await bus.connect();
    });

    afterEach(async () => {
      if (bus.state() !== 'closed') await bus.close();
    });

    async function subscriberCount(wireChannel: string): Promise<number> {
      const reply = (await rawPub.pubsub('NUMSUB', wireChannel)) as [string, number];
      return Number(reply[1]);
    }

    it('publishes on block:<channel>, and nothing on the bare name', async () => {
      const channel = uniqueChannel('wire-out');
      const sentinel = uniqueChannel('wire-sentinel');
      const seen: Array<{ wire: string; raw: string }> = [];
      const onMessage = (wire: string, raw: string) => {
        seen.push({ wire, raw });
      };
      rawSub.on('message', onMessage);
      try {
        await rawSub.subscribe(channel, `block:${channel}`, `block:${sentinel}`);
        const message = makeEnvelope({ over: 'the wire' });
        await bus.publish(channel, message);
        await bus.publish(sentinel, makeEnvelope({ sentinel: true }));
        await waitFor(() => seen.some((s) => s.wire === `block:${sentinel}`), 5000, {
          message: 'sentinel seen by raw subscriber',
        });

        const mine = seen.filter((s) => s.wire !== `block:${sentinel}`);
        expect(mine.map((s) => s.wire)).toEqual([`block:${channel}`]);
        expect(JSON.parse(mine[0].raw)).toEqual(message);
      } finally {
        rawSub.off('message', onMessage);
        await rawSub.unsubscribe(channel, `block:${channel}`, `block:${sentinel}`);
      }
    });

    it('subscribes on block:<channel> exactly once per channel, and leaves it when the last handler goes', async () => {
      const channel = uniqueChannel('wire-in');
      const h1 = recorder();
      const h2 = recorder();
      const unsubscribe1 = await bus.subscribe(channel, h1.handler);
      const unsubscribe2 = await bus.subscribe(channel, h2.handler);
      expect(await subscriberCount(`block:${channel}`)).toBe(1);
      expect(await subscriberCount(channel)).toBe(0);

      // Written by someone else entirely: the bare name is ignored, the prefixed one delivered.
      const ignored = makeEnvelope({ bare: true });
      const delivered = makeEnvelope({ prefixed: true });
      await rawPub.publish(channel, JSON.stringify(ignored));
      await rawPub.publish(`block:${channel}`, JSON.stringify(delivered));
      await waitFor(() => h1.received.length === 1 && h2.received.length === 1, 5000, {
        message: 'raw message delivered',
      });
      expect(h1.received).toEqual([delivered]);
      expect(h2.received).toEqual([delivered]);

      await unsubscribe1();
      expect(await subscriberCount(`block:${channel}`)).toBe(1);
      await unsubscribe2();
      expect(await subscriberCount(`block:${channel}`)).toBe(0);
    });

    it('drops raw garbage written to block:<channel> and keeps delivering afterwards', async () => {
      const channel = uniqueChannel('garbage');
      const { received, handler } = recorder();
      await bus.subscribe(channel, handler);
      const wire = `block:${channel}`;

      const { correlation_id: _omitted, ...withoutCorrelation } = makeEnvelope({});
      const garbage: Array<{ raw: string; reason: RegExp }> = [
        { raw: 'this is {not json', reason: /not valid JSON/ },
        { raw: '', reason: /not valid JSON/ },
        { raw: '[1,2,3]', reason: /not an object/ },
        { raw: '"a json string"', reason: /not an object/ },
        { raw: 'null', reason: /not an object/ },
        { raw: JSON.stringify({ ...makeEnvelope({}), source_block: 42 }), reason: /source_block/ },
        { raw: JSON.stringify({ ...makeEnvelope({}), target_block: 7 }), reason: /target_block/ },
        { raw: JSON.stringify({ ...makeEnvelope({}), event_type: ['x'] }), reason: /event_type/ },
        {
          raw: JSON.stringify({ ...makeEnvelope({}), timestamp: 1700000000000 }),
          reason: /timestamp/,
        },
        { raw: JSON.stringify(withoutCorrelation), reason: /correlation_id/ },
        { raw: JSON.stringify({ ...makeEnvelope(null), payload: undefined }), reason: /payload/ },
      ];
      for (const g of garbage) await rawPub.publish(wire, g.raw);
      const valid = makeEnvelope({ after: 'garbage' });
      await rawPub.publish(wire, JSON.stringify(valid));

      await waitFor(() => received.length === 1, 5000, {
        message: 'valid message after garbage delivered',
      });
      expect(received).toEqual([valid]);
      expect(bus.counters().dropped).toBe(garbage.length);
      expect(observer.drops).toHaveLength(garbage.length);
      garbage.forEach((g, i) => {
        expect(observer.drops[i].channel).toBe(channel);
        expect(observer.drops[i].raw).toBe(g.raw);
        expect(observer.drops[i].reason).toMatch(g.reason);
      });
      expect(observer.handlerErrors).toEqual([]);

      // The bus itself still works both ways.
      const again = makeEnvelope({ still: 'alive' });
      await bus.publish(channel, again);
      await waitFor(() => received.length === 2, 5000, {
        message: 'bus publish after garbage delivered',
      });
      expect(received[1]).toEqual(again);
      expect(bus.state()).toBe('connected');
    });

    it('rejects publish with TRANSPORT_DOWN when not connected', async () => {
      const port = await freePort();
      const down = createBus({
        kind: 'redis',
        url: `redis://127.0.0.1:${port}`,
        connectTimeoutMs: 2000,
      });
      try {
        // Before connect(): still connecting.
        await expect(down.publish(uniqueChannel('down'), makeEnvelope({}))).rejects.toMatchObject({
          code: 'TRANSPORT_DOWN',
        });
        await expect(down.connect()).rejects.toBeInstanceOf(BlockError);
        expect(down.state()).toBe('disconnected');
        const rejection = down.publish(uniqueChannel('down'), makeEnvelope({}));
        await expect(rejection).rejects.toBeInstanceOf(BlockError);
        await expect(rejection).rejects.toMatchObject({ code: 'TRANSPORT_DOWN', retryable: true });
        expect(down.counters().published).toBe(0);
      } finally {
        await down.close();
      }

      // And after close() on a bus that was connected.
      await bus.close();
      await expect(bus.publish(uniqueChannel('closed'), makeEnvelope({}))).rejects.toMatchObject({
        code: 'TRANSPORT_DOWN',
      });
    });
  });
});
