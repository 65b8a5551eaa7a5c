/**
 * L1 (in-process LRU) in front of L2 (Redis, when configured). An L2 failure is reported and
 * counted as a miss: the cache keeps answering from L1 while Redis is away. Values travel to
 * L2 as JSON with their expiry time, so an L2 hit refills L1 for the remaining lifetime only.
 * With L2, every write also tells the other instances to drop the key from their L1.
 */
import type { Redis } from 'ioredis';
import { Lru } from './lru.ts';
import { L1_MAX_TTL_MS, type Counter, type TierName } from './models.ts';

export interface KvHooks {
  onL2Error(err: unknown): void;
  invalidate(keys: string[]): void;
}

export class TieredKv {
  readonly l1: Lru<unknown>;

  /** `prefix` is prepended to every L2 key. */
  constructor(
    entries: number,
    private readonly redis: Redis | undefined,
    private readonly prefix: string,
    private readonly stats: Record<TierName, Counter>,
    private readonly hooks: KvHooks,
    private readonly now = Date.now,
  ) {
    this.l1 = new Lru(entries, now);
  }

  async get(
    key: string,
  ): Promise<{ hit: boolean; value: unknown; tier: 'memory' | 'redis' | null }> {
    const { stats, redis } = this;
    const local = this.l1.get(key);
    if (local) return (stats.memory.hits++, { hit: true, value: local.value, tier: 'memory' });
    stats.memory.misses++;
    const raw =
      redis &&
      (await redis.get(this.prefix + key).catch((err: unknown) => void this.hooks.onL2Error(err)));
    if (raw) {
      const { v, e } = JSON.parse(raw) as { v: unknown; e: number };
      this.l1.set(key, v, Math.min(e - this.now(), L1_MAX_TTL_MS));
      return (stats.redis.hits++, { hit: true, value: v, tier: 'redis' });
    }
    if (redis) stats.redis.misses++;
    return { hit: false, value: null, tier: null };
  }

  async set(key: string, value: unknown, ttlS: number): Promise<void> {
    const ttlMs = ttlS * 1000;
    this.l1.set(key, value, this.redis ? Math.min(ttlMs, L1_MAX_TTL_MS) : ttlMs);
    await this.redis
      ?.set(this.prefix + key, JSON.stringify({ v: value, e: this.now() + ttlMs }), 'PX', ttlMs)
      .then(
        () => this.hooks.invalidate([key]),
        (err: unknown) => this.hooks.onL2Error(err),
      );
  }

  async delete(key: string): Promise<void> {
    this.l1.delete(key);
    await this.redis?.del(this.prefix + key).then(
      () => this.hooks.invalidate([key]),
      (err: unknown) => this.hooks.onL2Error(err),
    );
  }
}
