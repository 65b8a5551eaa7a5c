/**
 * RedisBus when Redis is not there or goes away. Each suite runs its own throw-away
 * `redis-server` (test/support/redis.ts), so stopping and starting it touches nobody else.
 *
 * Duplicate detection after a reconnect does not rely on a sleep: every test message is
 * followed by a sentinel on the same channel, published on the same connection and received on
 * the same connection, so once the sentinel has arrived every copy of an earlier message that
 * Redis was ever going to send has arrived too. PUBSUB NUMSUB and CLIENT LIST on the private
 * server then show that the bus holds exactly one subscription on exactly its two connections.
 */
import net from 'node:net';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { RedisBus } from '../../../src/orchestration/bus/index.ts';
import type { MessageBus } from '../../../src/orchestration/bus/types.ts';
import { BlockError } from '../../../src/orchestration/errors.ts';
import type { Envelope } from '../../../src/orchestration/message.ts';
import { makeEnvelope, recordingObserver, uniqueChannel } from '../../support/bus.ts';
import {
  describeRedisServer,
  freePort,
  startThrowawayRedis,
  type ThrowawayRedis,
} from '../../support/redis.ts';
import { waitFor } from '../../support/wait.ts';

describe('RedisBus.connect() without a Redis', () => {
  it('rejects at once, naming REDIS_URL, when nothing listens on the port', async () => {
    const port = await freePort();
    const bus = new RedisBus({ url: `redis://127.0.0.1:${port}`, connectTimeoutMs: 2000 });
    const started = performance.now();
    try {
      const error: unknown = await bus.connect().then(
        () => {
          throw new Error('connect() resolved without a Redis');
        },
        (err: unknown) => err,
      );
      const elapsed = performance.now() - started;
      expect(error).toBeInstanceOf(BlockError);
      expect((error as BlockError).code).toBe('TRANSPORT_DOWN');
      expect((error as BlockError).message).toContain('REDIS_URL');
      expect((error as BlockError).message).toContain(`127.0.0.1:${port}`);
      expect(elapsed).toBeLessThan(2000 + 250);
      expect(bus.state()).toBe('disconnected');
    } finally {
      await bus.close();
    }
  });

  it('rejects after connectTimeoutMs, naming REDIS_URL, when the server accepts but never answers', async () => {
    // A TCP server that accepts, reads and discards everything, and never answers: the ready
    // check never completes.
    const sockets = new Set<net.Socket>();
    const blackhole = net.createServer((socket) => {
      sockets.add(socket);
      socket.resume();
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => {});
    });
    await new Promise<void>((resolve) => blackhole.listen(0, '127.0.0.1', resolve));
    const { port } = blackhole.address() as net.AddressInfo;
    const bus = new RedisBus({
      url: `redis://user:s3cret@127.0.0.1:${port}`,
      connectTimeoutMs: 600,
    });
    const started = performance.now();
    try {
      const error = (await bus.connect().catch((err: unknown) => err)) as Error;
      const elapsed = performance.now() - started;
      expect(error).toBeInstanceOf(BlockError);
      expect(error.message).toContain('REDIS_URL');
      expect(error.message).toContain('600 ms');
      expect(error.message).not.toContain('s3cret');
      expect(elapsed).toBeGreaterThanOrEqual(580);
      expect(elapsed).toBeLessThan(600 + 1000);
      expect(bus.state()).toBe('disconnected');
      // The bus gave up: its connections are closed, not left retrying.
      await waitFor(() => sockets.size === 0, 1000, {
        message: 'bus closed its sockets to the silent server',
      });
    } finally {
      await bus.close();
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => blackhole.close(() => resolve()));
    }
  });
});

describeRedisServer('RedisBus across Redis restarts (throw-away redis-server)', () => {
  let server: ThrowawayRedis;
  let admin: Redis;
  const buses: MessageBus[] = [];

  beforeAll(async () => {
    server = await startThrowawayRedis();
    // Lets ioredis reconnect on its own after each restart; only used between restarts.
    admin = new Redis(server.url, { retryStrategy: () => 20, maxRetriesPerRequest: 1 });
    admin.on('error', () => {});
  });

  afterEach(async () => {
    while (buses.length > 0) await buses.pop()!.close();
    if (!(await adminPing())) await server.restart();
  });

  afterAll(async () => {
    admin?.disconnect();
    await server?.stop();
  });

  async function adminPing(): Promise<boolean> {
    return admin.ping().then(
      () => true,
      () => false,
    );
  }

  /** Connections on the private server that belong to a bus (connectionName 'wsoptv-bus'). */
  async function busConnections(): Promise<number> {
    const list = (await admin.client('LIST')) as string;
    return list.split('\n').filter((line) => / name=wsoptv-bus /.test(line)).length;
  }

  async function subscriberCount(wireChannel: string): Promise<number> {
    const reply = (await admin.pubsub('NUMSUB', wireChannel)) as [string, number];
    return Number(reply[1]);
  }

  function countingHandler() {
    const counts = new Map<string, number>();
    return {
      counts,
      handler: (m: Envelope) => {
        counts.set(m.correlation_id, (counts.get(m.correlation_id) ?? 0) + 1);
      },
    };
  }

  async function stopAndWaitForOutage(bus: MessageBus): Promise<void> {
    await server.stop();
    await waitFor(() => bus.state() !== 'connected', 5000, {
      message: 'bus noticed Redis went away',
    });
  }

  /** Restarts Redis and returns how long after Redis answered PING the bus was connected again. */
  async function restartAndWaitForReconnect(bus: MessageBus): Promise<number> {
    await server.restart();
    const elapsed = await waitFor(() => bus.state() === 'connected', 5000, {
      message: 'bus connected again within 5 s of Redis answering',
    });
    await waitFor(adminPing, 5000, { message: 'admin client reconnected' });
    return elapsed;
  }

  it('reconnects after Redis restarts, twice, and delivers each later message exactly once to each handler', async () => {
    const observer = recordingObserver();
    const bus = new RedisBus({ url: server.url, connectTimeoutMs: 3000 }, observer);
    buses.push(bus);
    await bus.connect();
    expect(bus.state()).toBe('connected');

    const channel = uniqueChannel('restart');
    const wire = `block:${channel}`;
    const h1 = countingHandler();
    const h2 = countingHandler();
    await bus.subscribe(channel, h1.handler);
    await bus.subscribe(channel, h2.handler);
    const sentIds: string[] = [];

    async function publishAndVerify(n: number, round: string): Promise<void> {
      const batch = Array.from({ length: n }, (_, i) => makeEnvelope({ round, i }));
      for (const m of batch) {
        await bus.publish(channel, m);
        sentIds.push(m.correlation_id);
      }
      const sentinel = makeEnvelope({ round, sentinel: true });
      await bus.publish(channel, sentinel);
      sentIds.push(sentinel.correlation_id);
      await waitFor(
        () => h1.counts.has(sentinel.correlation_id) && h2.counts.has(sentinel.correlation_id),
        5000,
        {
          message: `round ${round}: sentinel reached both handlers`,
        },
      );
      for (const h of [h1, h2]) {
        // Every message sent so far arrived exactly once, and nothing else arrived.
        expect([...h.counts.keys()].sort()).toEqual([...sentIds].sort());
        expect([...h.counts.values()].every((c) => c === 1)).toBe(true);
      }
      expect(await subscriberCount(wire)).toBe(1);
      expect(await busConnections()).toBe(2);
    }

    await publishAndVerify(1, 'before');
    const reconnectMs: number[] = [];

    for (const round of ['first restart', 'second restart']) {
      const statesBefore = observer.states.length;
      await stopAndWaitForOutage(bus);
      const outageStates = observer.states.slice(statesBefore);
      expect(outageStates.length).toBeGreaterThan(0);
      expect(outageStates.every((s) => s !== 'connected')).toBe(true);
      expect(['reconnecting', 'disconnected']).toContain(bus.state());

      // No offline queue: publishing during the outage fails at once and says why.
      await expect(bus.publish(channel, makeEnvelope({ during: 'outage' }))).rejects.toMatchObject({
        code: 'TRANSPORT_DOWN',
      });

      reconnectMs.push(await restartAndWaitForReconnect(bus));
      expect(observer.states.at(-1)).toBe('connected');
      await publishAndVerify(50, round);
    }

    expect(h1.counts.size).toBe(1 + 1 + 2 * 51);
    expect(bus.counters()).toMatchObject({
      published: sentIds.length,
      delivered: 2 * sentIds.length,
      dropped: 0,
      handler_errors: 0,
    });
    console.info(
      `RedisBus reconnect after Redis answered PING: ${reconnectMs.map((ms) => `${Math.round(ms)} ms`).join(', ')}`,
    );
  });

  it('is subscribed again by the time it reports connected: a message published right at that moment arrives', async () => {
    const channel = uniqueChannel('ready-race');
    const received = countingHandler();
    const publishedAtConnect: string[] = [];
    const observer = {
      ...recordingObserver(),
      onStateChange: (state: string) => {
        // Only called once connect() runs, after `bus` below is initialised.
        if (state !== 'connected' || bus.state() !== 'connected') return;
        // Published from a connection of the bus itself, synchronously with the state change.
        const m = makeEnvelope({ atConnect: true });
        publishedAtConnect.push(m.correlation_id);
        bus.publish(channel, m).catch(() => {});
      },
    };
    const bus = new RedisBus({ url: server.url, connectTimeoutMs: 3000 }, observer);
    buses.push(bus);
    await bus.connect();
    await bus.subscribe(channel, received.handler);

    for (let round = 0; round < 2; round++) {
      await stopAndWaitForOutage(bus);
      const before = publishedAtConnect.length;
      await restartAndWaitForReconnect(bus);
      expect(publishedAtConnect.length).toBe(before + 1);
      const id = publishedAtConnect.at(-1)!;
      await waitFor(() => received.counts.get(id) === 1, 3000, {
        message: `round ${round}: message published at 'connected' delivered`,
      });
    }
  });

  it('a subscribe() that failed during an outage leaves nothing behind: subscribing again later works', async () => {
    const bus = new RedisBus({ url: server.url, connectTimeoutMs: 3000 });
    buses.push(bus);
    await bus.connect();
    const channel = uniqueChannel('subscribe-outage');

    await stopAndWaitForOutage(bus);
    const failed = countingHandler();
    await expect(bus.subscribe(channel, failed.handler)).rejects.toThrow();
    // Two handlers racing onto one new channel share the fate of the single SUBSCRIBE sent.
    const channel2 = uniqueChannel('subscribe-outage-concurrent');
    const racing = [countingHandler(), countingHandler()];
    const outcomes = await Promise.allSettled(
      racing.map((h) => bus.subscribe(channel2, h.handler)),
    );
    expect(outcomes.map((o) => o.status)).toEqual(['rejected', 'rejected']);

    await restartAndWaitForReconnect(bus);
    const retried = countingHandler();
    await bus.subscribe(channel, retried.handler);
    expect(await subscriberCount(`block:${channel}`)).toBe(1);
    const m = makeEnvelope({ after: 'retry' });
    await bus.publish(channel, m);
    await waitFor(() => retried.counts.get(m.correlation_id) === 1, 3000, {
      message: 'retried subscription receives',
    });
    // The caller was told the first subscribe failed, so that handler must never run.
    expect(failed.counts.size).toBe(0);

    const retried2 = countingHandler();
    await bus.subscribe(channel2, retried2.handler);
    expect(await subscriberCount(`block:${channel2}`)).toBe(1);
    const m2 = makeEnvelope({ after: 'concurrent retry' });
    await bus.publish(channel2, m2);
    await waitFor(() => retried2.counts.get(m2.correlation_id) === 1, 3000, {
      message: 'retried concurrent subscription receives',
    });
    expect(racing.map((h) => h.counts.size)).toEqual([0, 0]);
  });
});
