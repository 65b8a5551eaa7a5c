/**
 * What one consumer group says to Redis: create itself on a channel's stream, read new entries,
 * re-read what this consumer holds pending, take over what others abandoned, acknowledge, and
 * move a message to the dead-letter stream. The reader (redis-streams.ts) decides when and why;
 * this file holds only the commands, so each reads as one call.
 */
import type { Redis } from 'ioredis';
import type { DeadLetter, DurableSettings } from './types.ts';
import type { Entry, Keys } from './redis-keys.ts';

// Acknowledge and remember in one step; a second completion of the same message is counted.
const ACK_SCRIPT = `
local fresh = redis.call('SET', KEYS[2], '1', 'NX', 'EX', ARGV[3])
redis.call('XACK', KEYS[1], ARGV[1], ARGV[2])
if not fresh then redis.call('HINCRBY', KEYS[3], ARGV[1], 1) return 0 end
return 1`;

export const READ_COUNT = 200;
const DEAD_LETTERS_KEPT = 10_000;

/**
 * Entries re-read from this consumer's pending list, how often each was delivered, and how many
 * were pending.
 */
interface PendingRead {
  entries: Entry[];
  deliveries: Map<string, number>;
  pending: number;
}

type StreamsReply = Array<[key: string, entries: Entry[]]> | null;

export class GroupCommands {
  constructor(
    private readonly pub: Redis,
    private readonly keys: Keys,
    readonly group: string,
    readonly consumer: string,
    private readonly settings: DurableSettings,
  ) {}

  /** Creates the group at the start of the stream; a group that exists already is fine. */
  async create(channel: string): Promise<void> {
    const key = this.keys.stream(channel);
    try {
      await this.pub.call('XGROUP', 'CREATE', key, this.group, '0', 'MKSTREAM');
    } catch (err) {
      if (!String((err as Error).message).includes('BUSYGROUP')) throw err;
    }
  }

  /** New entries of the channels, waiting up to `blockMs` (on a connection of its own). */
  async readNew(conn: Redis, channels: string[], blockMs: number): Promise<StreamsReply> {
    const streams = channels.map((c) => this.keys.stream(c));
    const ids = channels.map(() => '>');
    const head = ['GROUP', this.group, this.consumer, 'COUNT', READ_COUNT, 'BLOCK', blockMs];
    return (await conn.call('XREADGROUP', ...head, 'STREAMS', ...streams, ...ids)) as StreamsReply;
  }

  /** Up to READ_COUNT entries this consumer took and never acknowledged, with their deliveries. */
  async readOwnPending(channel: string): Promise<PendingRead> {
    const key = this.keys.stream(channel);
    const pending = (await this.pub.call(
      ...['XPENDING', key, this.group, '-', '+', READ_COUNT, this.consumer],
    )) as Array<[id: string, consumer: string, idleMs: number, deliveries: number]>;
    if (pending.length === 0) return { entries: [], deliveries: new Map(), pending: 0 };
    const head = ['GROUP', this.group, this.consumer, 'COUNT', READ_COUNT];
    const reply = (await this.pub.call('XREADGROUP', ...head, 'STREAMS', key, '0')) as StreamsReply;
    const deliveries = new Map(pending.map(([id, , , n]) => [id, Number(n)]));
    return { entries: reply?.[0]?.[1] ?? [], deliveries, pending: pending.length };
  }

  /** Takes over entries that another consumer has held unacknowledged for `claimIdleMs`. */
  async claimAbandoned(channel: string): Promise<Entry[]> {
    const key = this.keys.stream(channel);
    const idle = this.settings.claimIdleMs;
    const reply = (await this.pub.call(
      ...['XAUTOCLAIM', key, this.group, this.consumer, idle, '0-0', 'COUNT', READ_COUNT],
    )) as [next: string, entries: Entry[], deleted?: string[]];
    return reply[1] ?? [];
  }

  /** Whether this group completed the message before (so a redelivery can be skipped). */
  async isDone(channel: string, id: string): Promise<boolean> {
    return (await this.pub.exists(this.keys.done(channel, this.group, id))) > 0;
  }

  /** Acknowledges and records completion; false when the message had been completed before. */
  async complete(channel: string, id: string): Promise<boolean> {
    const k = this.keys;
    const done = k.done(channel, this.group, id);
    const keys = [k.stream(channel), done, k.duplicates];
    const fresh = await this.pub.eval(
      ACK_SCRIPT,
      3,
      ...keys,
      this.group,
      id,
      this.settings.doneTtlS,
    );
    return fresh !== 0;
  }

  async ack(channel: string, id: string): Promise<void> {
    await this.pub.call('XACK', this.keys.stream(channel), this.group, id);
  }

  /** Moves a message to its channel's dead-letter stream and acknowledges it. */
  async bury(letter: DeadLetter): Promise<void> {
    const dead = this.keys.dead(letter.channel);
    const bound = ['MAXLEN', '~', DEAD_LETTERS_KEPT];
    await this.pub.call('XADD', dead, ...bound, '*', 'letter', JSON.stringify(letter));
    await this.ack(letter.channel, letter.id);
  }
}
