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
import { envelopeProblem, type Envelope } from '../message.ts';
import { describe, runDurable, sleep } from './durable.ts';
import type { FrameSigner } from './signing.ts';
import type {
  BusCounters,
  BusObserver,
  DeadLetter,
  DurableHandler,
  DurableSettings,
  Unsubscribe,
} from './types.ts';

export function durableKeys(namespace?: string) {
  const p = namespace ? `${namespace}:` : '';
  return {
    stream: (channel: string) => `${p}stream:${channel}`,
    dead: (channel: string) => `${p}dead:${channel}`,
    done: (channel: string, group: string, id: string) => `${p}done:${channel}:${group}:${id}`,
    duplicates: `${p}durable:duplicates`,
  };
}

type Keys = ReturnType<typeof durableKeys>;

// Acknowledge and remember in one step; a second completion of the same message is counted.
const ACK_SCRIPT = `
local fresh = redis.call('SET', KEYS[2], '1', 'NX', 'EX', ARGV[3])
redis.call('XACK', KEYS[1], ARGV[1], ARGV[2])
if not fresh then redis.call('HINCRBY', KEYS[3], ARGV[1], 1) return 0 end
return 1`;

const READ_COUNT = 200;
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

type Entry = [id: string, fields: string[] | null];

export class StreamGroupReader {
  private readonly handlers = new Map<string, DurableHandler>();
  private readonly recover = new Set<string>();
  /** Acknowledgements on their way to Redis. */
  private readonly acks = new Set<Promise<void>>();
  private conn: Redis | undefined;
  private loop: Promise<void> | undefined;
  private stopped = false;
  private lastClaim = Date.now();

  constructor(
    private readonly host: Host,
    readonly group: string,
    readonly consumer: string,
  ) {}

  async add(channel: string, handler: DurableHandler): Promise<Unsubscribe> {
    if (this.handlers.has(channel))
      throw new Error(`consumer group "${this.group}" already consumes ${channel} in this process`);
    await this.ensureGroup(channel);
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

  private async ensureGroup(channel: string): Promise<void> {
    try {
      await this.host.pub.call(
        'XGROUP',
        'CREATE',
        this.host.keys.stream(channel),
        this.group,
        '0',
        'MKSTREAM',
      );
    } catch (err) {
      if (!String((err as Error).message).includes('BUSYGROUP')) throw err;
    }
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
        const reply = (await this.conn!.call(
          'XREADGROUP',
          'GROUP',
          this.group,
          this.consumer,
          'COUNT',
          READ_COUNT,
          'BLOCK',
          BLOCK_MS,
          'STREAMS',
          ...channels.map((c) => this.host.keys.stream(c)),
          ...channels.map(() => '>'),
        )) as Array<[string, Entry[]]> | null;
        for (const [key, entries] of reply ?? []) {
          const channel = channels.find((c) => this.host.keys.stream(c) === key);
          if (channel) for (const entry of entries) await this.handle(channel, entry, 1);
        }
      } catch (err) {
        if (this.stopped) break;
        // Redis restarted without its data: the streams and groups are gone; make them again.
        if (String((err as Error).message).includes('NOGROUP'))
          await Promise.all(
            [...this.handlers.keys()].map((c) => this.ensureGroup(c).catch(() => {})),
          );
        else await sleep(200); // connection lost: ioredis reconnects on its own
        for (const c of this.handlers.keys()) this.recover.add(c);
      }
    }
  }

  /** What this consumer took before (in an earlier life) and never acknowledged. */
  private async readOwnPending(channel: string): Promise<void> {
    const key = this.host.keys.stream(channel);
    for (;;) {
      const pending = (await this.host.pub.call(
        'XPENDING',
        key,
        this.group,
        '-',
        '+',
        READ_COUNT,
        this.consumer,
      )) as Array<[string, string, number, number]>;
      if (pending.length === 0) return;
      const times = new Map(pending.map(([id, , , n]) => [id, Number(n)]));
      const reply = (await this.host.pub.call(
        'XREADGROUP',
        'GROUP',
        this.group,
        this.consumer,
        'COUNT',
        READ_COUNT,
        'STREAMS',
        key,
        '0',
      )) as Array<[string, Entry[]]> | null;
      const entries = reply?.[0]?.[1] ?? [];
      if (entries.length === 0) return;
      for (const entry of entries)
        await this.handle(channel, entry, (times.get(entry[0]) ?? 1) + 1);
      if (this.stopped || !this.handlers.has(channel) || pending.length < READ_COUNT) return;
    }
  }

  /** Takes over messages another consumer of the group took and left unacknowledged for too long. */
  private async claimAbandoned(): Promise<void> {
    this.lastClaim = Date.now();
    for (const channel of [...this.handlers.keys()]) {
      const reply = (await this.host.pub.call(
        'XAUTOCLAIM',
        this.host.keys.stream(channel),
        this.group,
        this.consumer,
        this.host.settings.claimIdleMs,
        '0-0',
        'COUNT',
        READ_COUNT,
      )) as [string, Entry[], string[]?];
      for (const entry of reply[1] ?? []) await this.handle(channel, entry, 2);
    }
  }

  private async handle(channel: string, [id, fields]: Entry, deliveries: number): Promise<void> {
    const key = this.host.keys.stream(channel);
    const frame = fieldOf(fields, 'f');
    if (frame === undefined) return void (await this.ack(key, id)); // trimmed from the stream meanwhile
    const only = fieldOf(fields, 'only');
    if (only !== undefined && only !== this.group) return void (await this.ack(key, id)); // a replay for another group
    const message = this.open(channel, frame);
    if (!message) return void (await this.ack(key, id));
    if (
      deliveries > 1 &&
      (await this.host.pub.exists(this.host.keys.done(channel, this.group, id)))
    ) {
      this.host.counters.durable_skipped++;
      return void (await this.ack(key, id));
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
    const keys = this.host.keys;
    for (let attempt = 0; ; attempt++) {
      try {
        const fresh = await this.host.pub.eval(
          ACK_SCRIPT,
          3,
          keys.stream(channel),
          keys.done(channel, this.group, id),
          keys.duplicates,
          this.group,
          id,
          this.host.settings.doneTtlS,
        );
        if (fresh === 0) {
          this.host.counters.durable_duplicates++;
          this.host.observer.onDrop(
            channel,
            `message ${id} was handled twice by group ${this.group}`,
          );
        }
        return;
      } catch (err) {
        if (attempt >= 150) throw err; // ~30 s: the message will be delivered again
        await sleep(200);
      }
    }
  }

  private async ack(key: string, id: string): Promise<void> {
    await this.host.pub.call('XACK', key, this.group, id);
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
    await this.host.pub.call(
      'XADD',
      this.host.keys.dead(channel),
      'MAXLEN',
      '~',
      10_000,
      '*',
      'letter',
      JSON.stringify(letter),
    );
    await this.ack(this.host.keys.stream(channel), id);
    this.host.counters.durable_dead_lettered++;
    this.host.observer.onDeadLetter?.(letter);
  }

  private open(channel: string, frame: string): Envelope | null {
    const raw = this.host.signer ? this.host.signer.open(frame) : frame;
    if (raw === null) return this.drop(channel, 'missing or wrong signature', frame);
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw);
    } catch {
      return this.drop(channel, 'message is not valid JSON', raw);
    }
    const problem = envelopeProblem(parsed);
    return problem ? this.drop(channel, problem, raw) : (parsed as Envelope);
  }

  private drop(channel: string, reason: string, raw: string): null {
    this.host.counters.dropped++;
    this.host.observer.onDrop(channel, reason, raw);
    return null;
  }
}

/**
 * Puts a dead letter back into its channel's stream addressed to one group (`only`): the other
 * groups acknowledge it without handling it. The letter is removed from the dead-letter stream.
 */
export async function replayDeadLetter(
  pub: Redis,
  keys: Keys,
  channel: string,
  group: string,
  id: string,
): Promise<boolean> {
  const entries = (await pub.call(
    'XREVRANGE',
    keys.dead(channel),
    '+',
    '-',
    'COUNT',
    10_000,
  )) as Entry[];
  for (const [deadId, fields] of entries) {
    const json = fieldOf(fields, 'letter');
    let letter: DeadLetter | undefined;
    try {
      letter = json ? (JSON.parse(json) as DeadLetter) : undefined;
    } catch {
      continue;
    }
    if (letter?.group !== group || letter.id !== id) continue;
    await pub.call('XADD', keys.stream(channel), '*', 'f', letter.raw, 'only', group);
    await pub.call('XDEL', keys.dead(channel), deadId);
    return true;
  }
  return false;
}

export async function readDeadLetters(
  pub: Redis,
  keys: Keys,
  channel: string,
  limit: number,
): Promise<DeadLetter[]> {
  const entries = (await pub.call(
    'XREVRANGE',
    keys.dead(channel),
    '+',
    '-',
    'COUNT',
    limit,
  )) as Entry[];
  return entries.flatMap(([, fields]) => {
    const json = fieldOf(fields, 'letter');
    try {
      return json ? [JSON.parse(json) as DeadLetter] : [];
    } catch {
      return [];
    }
  });
}

function fieldOf(fields: string[] | null, name: string): string | undefined {
  if (!fields) return undefined;
  for (let i = 0; i + 1 < fields.length; i += 2) if (fields[i] === name) return fields[i + 1];
  return undefined;
}
