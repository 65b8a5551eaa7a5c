/**
 * Stream slots, one per playback session. One interface, two stores: memory (one process) and
 * Redis (shared by every process, each operation one atomic Lua script). Both return a raw
 * outcome that `Slots` turns into the contract's SlotDecision, so their answers cannot drift.
 */
import type { Redis } from 'ioredis';
import type { Decision } from './models.ts';

export interface SlotLimits {
  maxPerUser: number;
  maxTotal: number;
  /** A session with no acquire/touch for this long has given its slot back. */
  idleMs: number;
}

/**
 * NEW: granted now · HELD: the session already had it · USER/GLOBAL: refused · NONE: no such slot.
 */
export const Outcome = { NEW: 0, HELD: 1, USER: 2, GLOBAL: 3, NONE: -1 } as const;
type Outcome = (typeof Outcome)[keyof typeof Outcome];
export type Raw = [Outcome, number, number]; // outcome, the user's active slots, all active slots

export type SlotOp = 'acquire' | 'touch' | 'release';

/** A store runs one operation atomically (after dropping idle sessions) and says what happened. */
export interface SlotStore {
  run(op: SlotOp, userId: string, sessionId: string): Promise<Raw>;
}

/** The contract's view of any store. */
export class Slots {
  constructor(
    private readonly store: SlotStore,
    private readonly l: SlotLimits,
  ) {}

  async acquire(userId: string, sessionId: string): Promise<Decision> {
    const [outcome, mine, total] = await this.store.run('acquire', userId, sessionId);
    const refused =
      outcome === Outcome.USER
        ? { reason: 'user_limit' as const, limit: this.l.maxPerUser, used: mine }
        : outcome === Outcome.GLOBAL
          ? { reason: 'global_limit' as const, limit: this.l.maxTotal, used: total }
          : null;
    // Queue position: how many sessions would have to leave before this one is let in.
    const queue_position = refused && refused.used - refused.limit + 1;
    return {
      granted: !refused,
      reason: refused?.reason ?? null,
      limit: refused?.limit ?? null,
      queue_position,
      active_for_user: mine,
      active_total: total,
    };
  }
  /** true when the session holds a slot (its idle timer restarts); false when it has none. */
  async touch(userId: string, sessionId: string): Promise<boolean> {
    return (await this.store.run('touch', userId, sessionId))[0] === Outcome.HELD;
  }
  async release(userId: string, sessionId: string): Promise<void> {
    await this.store.run('release', userId, sessionId);
  }
  /** Active slots in total (user ids are never empty, so this touches nothing). */
  async active(): Promise<number> {
    return (await this.store.run('touch', '', ''))[2];
  }
}

export class MemorySlotStore implements SlotStore {
  /** user → session → last acquire/touch (ms). */
  private readonly users = new Map<string, Map<string, number>>();

  constructor(
    private readonly l: SlotLimits,
    private readonly now: () => number = Date.now,
  ) {}

  async run(op: SlotOp, userId: string, sessionId: string): Promise<Raw> {
    const now = this.now();
    let total = 0;
    for (const [user, sessions] of this.users) {
      for (const [s, at] of sessions) if (at <= now - this.l.idleMs) sessions.delete(s);
      if (sessions.size === 0) this.users.delete(user);
      total += sessions.size;
    }
    const mine = this.users.get(userId) ?? new Map<string, number>();
    if (op === 'release') {
      if (mine.delete(sessionId)) total--;
      return [Outcome.NONE, mine.size, total];
    }
    const outcome = mine.has(sessionId)
      ? Outcome.HELD
      : op === 'touch'
        ? Outcome.NONE
        : mine.size >= this.l.maxPerUser
          ? Outcome.USER
          : total >= this.l.maxTotal
            ? Outcome.GLOBAL
            : Outcome.NEW;
    if (outcome === Outcome.NEW || outcome === Outcome.HELD) {
      if (outcome === Outcome.NEW) total++;
      this.users.set(userId, mine.set(sessionId, now));
    }
    return [outcome, mine.size, total];
  }
}

/**
 * KEYS: the user's sorted set (member session id), the global one (member [user, session]);
 * scores are the last acquire/touch by the Redis server's clock, so processes need no common
 * clock. Idle members of both sets are dropped first, in the same script, then the operation.
 * ARGV: op, session member, global member, idle ms, max per user, max total.
 */
const SCRIPT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local idle = tonumber(ARGV[4])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - idle)
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now - idle)
local outcome = -1
if ARGV[1] == 'release' then
  redis.call('ZREM', KEYS[1], ARGV[2]); redis.call('ZREM', KEYS[2], ARGV[3])
elseif redis.call('ZSCORE', KEYS[1], ARGV[2]) then outcome = 1
elseif ARGV[1] == 'touch' then outcome = -1
elseif redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[5]) then outcome = 2
elseif redis.call('ZCARD', KEYS[2]) >= tonumber(ARGV[6]) then outcome = 3
else outcome = 0 end
if outcome == 0 or outcome == 1 then
  redis.call('ZADD', KEYS[1], now, ARGV[2]); redis.call('PEXPIRE', KEYS[1], idle * 2)
  redis.call('ZADD', KEYS[2], now, ARGV[3]); redis.call('PEXPIRE', KEYS[2], idle * 2)
end
return {outcome, redis.call('ZCARD', KEYS[1]), redis.call('ZCARD', KEYS[2])}`;

type WithSlotOp = Redis & {
  wsoptvSlotOp(k1: string, k2: string, ...argv: Array<string | number>): Promise<Raw>;
};

export class RedisSlotStore implements SlotStore {
  private readonly redis: WithSlotOp;

  /** `prefix` separates deployments (and tests) sharing one Redis. */
  constructor(
    redis: Redis,
    private readonly prefix: string,
    private readonly l: SlotLimits,
  ) {
    if (!('wsoptvSlotOp' in redis))
      redis.defineCommand('wsoptvSlotOp', { numberOfKeys: 2, lua: SCRIPT });
    this.redis = redis as WithSlotOp;
  }

  run(op: SlotOp, userId: string, sessionId: string): Promise<Raw> {
    // The hash tag keeps both keys in one Redis Cluster slot, as a multi-key script needs.
    const p = `${this.prefix}{slots}`;
    return this.redis.wsoptvSlotOp(
      `${p}:u:${userId}`,
      `${p}:all`,
      op,
      sessionId,
      JSON.stringify([userId, sessionId]),
      this.l.idleMs,
      this.l.maxPerUser,
      this.l.maxTotal,
    );
  }
}

/**
 * Redis first; when it cannot answer, this process's memory store (limits then hold per
 * process only). Touch and release go to both, so a slot taken during an outage stays alive
 * and is given back; once Redis answers again, new sessions are counted there.
 */
export class FallbackSlotStore implements SlotStore {
  constructor(
    private readonly shared: SlotStore,
    private readonly local: SlotStore,
    private readonly onError: (err: unknown) => void,
  ) {}

  async run(op: SlotOp, userId: string, sessionId: string): Promise<Raw> {
    const shared = this.shared
      .run(op, userId, sessionId)
      .catch((err: unknown) => void this.onError(err));
    const local = op === 'acquire' ? undefined : await this.local.run(op, userId, sessionId);
    if (local?.[0] === Outcome.HELD) return local;
    return (await shared) ?? local ?? (await this.local.run(op, userId, sessionId));
  }
}
