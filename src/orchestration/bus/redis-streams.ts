/**
 * Durable delivery over Redis Streams: each channel has a stream (`<ns>:stream:<channel>`),
 * each subscribing block a consumer group on it. Pub/Sub stays at-most-once for live listeners;
 * the stream is what a block that was down reads when it comes back.
 *
 * Per group, one reader with its own connection (XREADGROUP BLOCK needs one) reads all the
 * group's channels. A message is acknowledged only after its handler succeeded, together with a
 * "done" record in one script: the record lets a redelivered message whose handling had
 * completed be skipped, and counts in `<ns>:durable:duplicates` any message completed twice.
 * What a crashed consumer took but never acknowledged stays in the group's pending list: the
 * same consumer name reads it first when it comes back, and any other consumer of the group
 * takes it over after `claimIdleMs`. A group is created at the start of the stream, so a block
 * that starts after others have published still receives their messages.
 */
import { Redis, type RedisOptions } from 'ioredis';
import type { Envelope } from '../message.ts';
import { describe, runDurable, sleep } from './durable.ts';
import { decodeFrame } from './frames.ts';
import type { FrameSigner } from './signing.ts';
import { fieldOf, type Entry, type Keys } from './redis-keys.ts';
import { GroupCommands, READ_COUNT } from './redis-group.ts';
import type {
  BusCounters,
  BusObserver,
  DeadLetter,
  DurableHandler,
  DurableSettings,
  Unsubscribe,
} from './types.ts';

export { durableKeys } from './redis-keys.ts';

const MAX_UNACKED = 500;
const BLOCK_MS = 500; // also how soon a channel added to a running reader is read
const CLAIM_EVERY_MS = 5000;

interface Host {
  pub: Redis;
  keys: Keys;
  signer: FrameSigner | undefined;
  counters: BusCounters;
  observer: BusObserver;
  settings: DurableSettings;
  connection: RedisOptions;
  url: string;
}

export class StreamGroupReader {
  private readonly handlers = new Map<string, DurableHandler>();
  private readonly recover = new Set<string>();
  /** Acknowledgements on their way to Redis. */
  private readonly acks = new Set<Promise<void>>();
  private conn: Redis | undefined;
  private loop: Promise<void> | undefined;
  private stopped = false;
  private lastClaim = Date.now();
  private readonly redis: GroupCommands;

  constructor(
    private readonly host: Host,
    readonly group: string,
    readonly consumer: string,
  ) {
    this.redis = new GroupCommands(host.pub, host.keys, group, consumer, host.settings);
  }

  async add(channel: string, handler: DurableHandler): Promise<Unsubscribe> {
    if (this.handlers.has(channel))
      throw new Error(`consumer group "${this.group}" already consumes ${channel} in this process`);
    await this.redis.create(channel);
    this.handlers.set(channel, handler);
    this.recover.add(channel);
    if (!this.loop) {
      this.stopped = false;
      const conn = new Redis(this.host.url, {
        ...this.host.connection,
        lazyConnect: true,
        connectionName: `wsoptv-consumer-${this.group}`,
      });
      conn.on('error', () => {});
      this.conn = conn;
      this.loop = conn.connect().then(
        () => this.run(),
        () => this.run(), // Redis is away right now: the loop waits for the reconnect
      );
    }
    return async () => {
      if (this.handlers.get(channel) !== handler) return;
      this.handlers.delete(channel);
      if (this.handlers.size === 0) await this.close();
    };
  }

  async close(): Promise<void> {
    this.stopped = true;
    this.conn?.disconnect();
    // A handler still running finishes and acknowledges; one that hangs is left behind (its
    // message stays pending and is delivered again) rather than holding up the shutdown.
    const finished = (this.loop ?? Promise.resolve()).then(() =>
      Promise.allSettled([...this.acks]),
    );
    await Promise.race([finished, sleep(3000)]);
    this.loop = undefined;
    this.conn = undefined;
  }

  private async run(): Promise<void> {
    while (!this.stopped && this.handlers.size > 0) {
      try {
        // Acknowledgements still on their way (retrying through an outage) land first: otherwise
        // the pending list would still show those messages and they would be handled again.
        if (this.recover.size > 0 && this.acks.size > 0) await Promise.allSettled([...this.acks]);
        for (const channel of [...this.recover]) {
          await this.readOwnPending(channel);
          this.recover.delete(channel);
        }
        if (Date.now() - this.lastClaim > CLAIM_EVERY_MS) await this.claimAbandoned();
        const channels = [...this.handlers.keys()];
        const reply = await this.redis.readNew(this.conn!, channels, BLOCK_MS);
        for (const [key, entries] of reply ?? []) {
          const channel = channels.find((c) => this.host.keys.stream(c) === key);
          if (channel) for (const entry of entries) await this.handle(channel, entry, 1);
        }
      } catch (err) {
        if (this.stopped) break;
        // Redis restarted without its data: the streams and groups are gone; make them again.
        if (String((err as Error).message).includes('NOGROUP'))
          await Promise.all(
            [...this.handlers.keys()].map((c) => this.redis.create(c).catch(() => {})),
          );
        else await sleep(200); // connection lost: ioredis reconnects on its own
        for (const c of this.handlers.keys()) this.recover.add(c);
      }
    }
  }

  /** What this consumer took before (in an earlier life) and never acknowledged. */
  private async readOwnPending(channel: string): Promise<void> {
    for (;;) {
      const { entries, deliveries, pending } = await this.redis.readOwnPending(channel);
      if (entries.length === 0) return;
      for (const entry of entries)
        await this.handle(channel, entry, (deliveries.get(entry[0]) ?? 1) + 1);
      if (this.stopped || !this.handlers.has(channel) || pending < READ_COUNT) return;
    }
  }

  /**
   * Takes over messages another consumer of the group took and left unacknowledged for too long.
   */
  private async claimAbandoned(): Promise<void> {
    this.lastClaim = Date.now();
    for (const channel of [...this.handlers.keys()])
      for (const entry of await this.redis.claimAbandoned(channel))
        await this.handle(channel, entry, 2);
  }

  private async handle(channel: string, [id, fields]: Entry, deliveries: number): Promise<void> {
    const frame = fieldOf(fields, 'f');
    // trimmed from the stream meanwhile
    if (frame === undefined) return void (await this.redis.ack(channel, id));
    const only = fieldOf(fields, 'only');
    // a replay for another group
    if (only !== undefined && only !== this.group) return void (await this.redis.ack(channel, id));
    const message = this.open(channel, frame);
    if (!message) return void (await this.redis.ack(channel, id));
    if (deliveries > 1 && (await this.redis.isDone(channel, id))) {
      this.host.counters.durable_skipped++;
      return void (await this.redis.ack(channel, id));
    }
    if (deliveries > this.host.settings.maxDeliveries)
      return this.bury(
        channel,
        id,
        frame,
        deliveries - 1,
        'delivered too often without success (the consumer kept failing or crashing)',
      );
    this.host.counters.delivered++;
    const outcome = await runDurable({
      handler: () => (this.stopped ? undefined : this.handlers.get(channel)),
      message,
      id,
      deliveries,
      settings: this.host.settings,
      counters: this.host.counters,
      onError: (err) => {
        this.host.counters.handler_errors++;
        this.host.observer.onHandlerError(channel, message, err);
      },
    });
    if (outcome.kind === 'abandoned') return;
    if (outcome.kind === 'dead')
      return this.bury(channel, id, frame, outcome.deliveries, outcome.error);
    // The acknowledgement travels while the next message is handled (the connection pipelines
    // them); waiting for each round trip would cap a group at one message per round trip.
    const ack = this.completed(channel, id).catch((err) =>
      this.host.observer.onDrop(channel, `acknowledgement of ${id} failed: ${describe(err)}`),
    );
    this.acks.add(ack);
    void ack.finally(() => this.acks.delete(ack));
    if (this.acks.size >= MAX_UNACKED) await Promise.race(this.acks);
  }

  /** Acknowledges a handled message; keeps trying through a Redis outage so it is not run again. */
  private async completed(channel: string, id: string): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        if (!(await this.redis.complete(channel, id))) {
          this.host.counters.durable_duplicates++;
          const problem = `message ${id} was handled twice by group ${this.group}`;
          this.host.observer.onDrop(channel, problem);
        }
        return;
      } catch (err) {
        if (attempt >= 150) throw err; // ~30 s: the message will be delivered again
        await sleep(200);
      }
    }
  }

  private async bury(
    channel: string,
    id: string,
    raw: string,
    deliveries: number,
    error: string,
  ): Promise<void> {
    const letter: DeadLetter = {
      channel,
      group: this.group,
      id,
      deliveries,
      error: describe(error),
      raw,
      at: new Date().toISOString(),
    };
    await this.redis.bury(letter);
    this.host.counters.durable_dead_lettered++;
    this.host.observer.onDeadLetter?.(letter);
  }

  private open(channel: string, frame: string): Envelope | null {
    const decoded = decodeFrame(frame, this.host.signer);
    return 'envelope' in decoded
      ? decoded.envelope
      : this.drop(channel, decoded.problem, decoded.raw);
  }

  private drop(channel: string, reason: string, raw: string): null {
    this.host.counters.dropped++;
    this.host.observer.onDrop(channel, reason, raw);
    return null;
  }
}
