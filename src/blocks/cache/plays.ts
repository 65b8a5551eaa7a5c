/**
 * Plays per content in a sliding window, counted per playback session (a repeated
 * stream_started of one session counts once). In Redis (one sorted set per content, member =
 * session, score = time) when configured, shared by every cache instance and kept across
 * restarts; otherwise in this process's memory, lost on restart.
 */
import type { Redis } from 'ioredis';

export interface PlayCounter {
  /**
   * Records a play; `added` is false when this session was already counted (here or by another
   * instance).
   */
  add(contentId: string, sessionId: string): Promise<{ added: boolean; plays: number }>;
  count(contentIds: string[]): Promise<number[]>;
  forget(contentId: string): Promise<void>;
}

export class MemoryPlayCounter implements PlayCounter {
  private readonly plays = new Map<string, Map<string, number>>();

  constructor(
    private readonly windowMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  private live(contentId: string): Map<string, number> {
    const sessions = this.plays.get(contentId) ?? new Map<string, number>();
    for (const [s, at] of sessions) if (at <= this.now() - this.windowMs) sessions.delete(s);
    if (sessions.size === 0) this.plays.delete(contentId);
    return sessions;
  }
  async add(contentId: string, sessionId: string) {
    const sessions = this.live(contentId);
    const added = !sessions.has(sessionId);
    if (added) this.plays.set(contentId, sessions.set(sessionId, this.now()));
    return { added, plays: sessions.size };
  }
  count = async (contentIds: string[]) => contentIds.map((id) => this.live(id).size);
  forget = async (contentId: string) => void this.plays.delete(contentId);
}

export class RedisPlayCounter implements PlayCounter {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly windowMs: number,
  ) {}

  private key = (contentId: string) => `${this.prefix}plays:${contentId}`;

  async add(contentId: string, sessionId: string) {
    const key = this.key(contentId);
    const now = Date.now();
    const res = await this.redis
      .multi()
      .zremrangebyscore(key, '-inf', now - this.windowMs)
      .zadd(key, 'NX', now, sessionId)
      .zcard(key)
      .pexpire(key, this.windowMs)
      .exec();
    const failed = res?.find(([err]) => err);
    if (!res || failed) throw failed?.[0] ?? new Error('play count transaction aborted');
    const [[, added], [, plays]] = [res[1], res[2]];
    return { added: Number(added) === 1, plays: Number(plays) };
  }
  async count(contentIds: string[]) {
    const since = Date.now() - this.windowMs;
    const pipe = this.redis.pipeline();
    for (const id of contentIds) pipe.zcount(this.key(id), since, '+inf');
    return ((await pipe.exec()) ?? []).map(([err, n]) => (err ? 0 : Number(n)));
  }
  forget = async (contentId: string) => void (await this.redis.del(this.key(contentId)));
}
