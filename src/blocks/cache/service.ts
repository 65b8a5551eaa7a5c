/**
 * The cache block's logic: L1/L2 key-value, stream paths over SSD and NAS, hot-content
 * promotion with LRU eviction, play counting and stream slots (docs/blocks/04-cache.md).
 */
import { randomUUID } from 'node:crypto';
import { access, stat } from 'node:fs/promises';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import {
  BlockError,
  isInfrastructureError,
  type BlockClient,
  type BlockSetupContext,
  type HealthReport,
  type SystemView,
} from '../../orchestration/index.ts';
import { realPathUnder } from '../../platform/paths.ts';
import { TieredKv } from './kv.ts';
import { notFound, PATH_TTL_S, unavailable, type Counter, type TierName } from './models.ts';
import { MemoryPlayCounter, RedisPlayCounter, type PlayCounter } from './plays.ts';
import { FallbackSlotStore, MemorySlotStore, RedisSlotStore, Slots } from './slots.ts';
import type { CacheSettings } from './settings.ts';
import { Promotions } from './promotions.ts';
import { sameFile, SsdStore, type Source } from './ssd.ts';

export interface CacheOptions {
  /** The block's settings, the SSD directory resolved. */
  settings: CacheSettings & { ssdDir: string };
  shared: BlockSetupContext['shared'];
  log: Logger;
  /** Publishes cache_invalidated, outside any request. */
  client: BlockClient;
  redis?: Redis;
  /** Who runs where: while a worker block serves, its durable cache_warm jobs do the copying. */
  system?: SystemView;
  /** Prefix of every Redis key: `<bus namespace>:wsoptv:cache:` by default. */
  prefix?: string;
}

const pathKey = (contentId: string) => `path:${contentId}`;
const rate = (c: Counter) => ({
  ...c,
  hit_rate: c.hits + c.misses ? c.hits / (c.hits + c.misses) : null,
});

export class CacheService {
  readonly counters: Record<TierName, Counter> = {
    memory: { hits: 0, misses: 0 },
    redis: { hits: 0, misses: 0 },
    ssd: { hits: 0, misses: 0 },
    nas: { hits: 0, misses: 0 },
  };
  readonly instance = randomUUID();
  readonly kv: TieredKv;
  readonly slots: Slots;
  readonly plays: PlayCounter;
  readonly ssd: SsdStore;
  private ssdReady = false;
  /** Contents seen at or above the hot threshold, for the stats. */
  private readonly hot = new Set<string>();
  readonly promotions: Promotions;
  private lastRedisWarning = 0;

  constructor(private readonly o: CacheOptions) {
    const { settings, shared, redis } = o;
    const prefix =
      o.prefix ?? `${shared.busNamespace ? `${shared.busNamespace}:` : ''}wsoptv:cache:`;
    const onL2Error = (err: unknown) => this.redisFailed(err);
    const broadcast = (keys: string[]) =>
      void o.client.publish('cache_invalidated', { keys, origin: this.instance }).catch(onL2Error);
    this.kv = new TieredKv(settings.memoryEntries, redis, prefix, this.counters, {
      onL2Error,
      invalidate: broadcast,
    });
    const local = new MemorySlotStore(settings.slots);
    this.slots = new Slots(
      redis
        ? new FallbackSlotStore(new RedisSlotStore(redis, prefix, settings.slots), local, onL2Error)
        : local,
      settings.slots,
    );
    const windowMs = settings.hotWindowDays * 86_400_000;
    this.plays = redis
      ? new RedisPlayCounter(redis, prefix, windowMs)
      : new MemoryPlayCounter(windowMs);
    this.ssd = new SsdStore(settings.ssdDir, settings.ssdBytes);
    this.promotions = new Promotions(this.ssd, (mediaPath) => this.source(mediaPath));
  }

  async open(): Promise<this> {
    const unusable = (err: unknown) =>
      this.o.log.error(
        { err, dir: this.ssd.dir },
        'SSD cache directory unusable: serving from the NAS only',
      );
    await this.ssd.open().then(() => (this.ssdReady = true), unusable);
    return this;
  }

  /** Warns when Redis starts failing; again only after 10 s without a failure. */
  private redisFailed(err: unknown): void {
    if (Date.now() - this.lastRedisWarning > 10_000)
      this.o.log.warn({ err }, 'Redis unavailable: L2 off, stream slots kept in this process');
    this.lastRedisWarning = Date.now();
  }

  /** Another instance changed these keys in L2: our L1 copies are stale. */
  dropLocal = (keys: string[], origin: string): void =>
    void (origin !== this.instance && keys.forEach((k) => this.kv.l1.delete(k)));

  /** The item's media path (relative to the library), from L1/L2 or asked of content. */
  async mediaPath(contentId: string, call: BlockClient): Promise<string> {
    const cached = await this.kv.get(pathKey(contentId));
    if (cached.hit && typeof cached.value === 'string') return cached.value;
    const item = await call
      .request('content:v1', 'get_content', { content_id: contentId })
      .catch((err: unknown) => {
        throw isInfrastructureError(err)
          ? unavailable('CONTENT_UNAVAILABLE', `content cannot answer for ${contentId}`, err)
          : err;
      });
    if (!item) throw notFound(contentId);
    await this.kv.set(pathKey(contentId), item.media_path, PATH_TTL_S);
    return item.media_path;
  }

  /** The NAS file behind a media path: confined to the library, a regular file. */
  private async source(mediaPath: string): Promise<Source> {
    const path = await realPathUnder(this.o.shared.libraryDir, mediaPath);
    const st = await stat(path);
    if (!st.isFile()) throw new Error(`${mediaPath} is not a regular file`);
    return { path, size: st.size, mtimeMs: st.mtimeMs };
  }

  async streamPath(contentId: string, call: BlockClient) {
    const mediaPath = await this.mediaPath(contentId, call);
    const source = await this.source(mediaPath).catch((err: unknown) => {
      if (err instanceof BlockError) throw err; // PATH_OUTSIDE_ROOT
      return err as Error;
    });
    const entry = await this.ssd.lookup(contentId, mediaPath);
    const copy = entry && (await this.ssd.verify(entry));
    // The copy is served when it matches the source, or when the source cannot be read at all.
    if (entry && copy && (source instanceof Error || sameFile(copy, source))) {
      this.counters.ssd.hits++;
      this.ssd.touch(entry);
      return { path: copy.path, tier: 'ssd' as const, size: copy.size, mtime_ms: copy.mtimeMs };
    }
    if (entry) await this.ssd.discard(contentId);
    this.counters.ssd.misses++;
    this.counters.nas[source instanceof Error ? 'misses' : 'hits']++;
    if (source instanceof Error)
      throw unavailable('FILE_UNAVAILABLE', `media file of ${contentId} cannot be read`, source);
    return { path: source.path, tier: 'nas' as const, size: source.size, mtime_ms: source.mtimeMs };
  }

  /**
   * stream_started: one more play; at the threshold, announce, and queue a copy unless a worker
   * block will do it (cache_warm → warm_content).
   */
  async played(contentId: string, sessionId: string, call: BlockClient): Promise<void> {
    const { added, plays } = await this.plays.add(contentId, sessionId);
    if (plays < this.o.settings.hotPlays) return;
    this.hot.add(contentId);
    if (this.ssd.entries.has(contentId) || this.promotions.has(contentId)) return;
    const mediaPath = await this.mediaPath(contentId, call);
    // Instances sharing Redis all see the play; only the one that counted it announces.
    if (added)
      await call.publish('hot_content_detected', {
        content_id: contentId,
        media_path: mediaPath,
        plays_7d: plays,
      });
    const worker = this.o.system
      ?.blocks()
      .some((b) => b.id === 'worker' && (b.status === 'healthy' || b.status === 'degraded'));
    // failures are logged by Promotions
    if (this.ssdReady && !worker) this.promotions.queue(contentId, mediaPath, call).catch(() => {});
  }

  /**
   * cache:v1 warm_content: the same promotion as a hot play, answered when the copy is in place (or
   * was already).
   */
  async warm(contentId: string, given: string | undefined, call: BlockClient) {
    const mediaPath = given ?? (await this.mediaPath(contentId, call));
    if (!this.ssdReady) throw unavailable('SSD_UNAVAILABLE', 'the SSD cache directory is unusable');
    const [entry, source] = await Promise.all([
      this.ssd.lookup(contentId, mediaPath),
      this.source(mediaPath),
    ]);
    const copy = entry && (await this.ssd.verify(entry));
    const fresh =
      copy && sameFile(copy, source)
        ? copy
        : await this.promotions.queue(contentId, mediaPath, call);
    return { copied: fresh !== copy, bytes: fresh.size, path: fresh.path };
  }

  /** content_deleted: its SSD copy, cached path and play counts go. */
  async purge(contentId: string): Promise<void> {
    this.promotions.cancel(contentId, notFound(contentId));
    this.hot.delete(contentId);
    await Promise.all([
      this.ssd.discard(contentId),
      this.kv.delete(pathKey(contentId)),
      this.plays.forget(contentId).catch((err) => this.redisFailed(err)),
    ]);
  }

  async stats() {
    const tiers = Object.fromEntries(
      Object.entries(this.counters)
        .filter(([t]) => t !== 'redis' || this.o.redis)
        .map(([t, c]) => [t, rate(c)]),
    );
    const ids = [...new Set([...this.hot, ...this.ssd.entries.keys()])];
    const counts = await this.plays.count(ids).catch(() => ids.map(() => 0));
    const hotPlays = this.o.settings.hotPlays;
    const hot_contents = ids
      .map((id, i) => ({ content_id: id, plays_7d: counts[i], on_ssd: this.ssd.entries.has(id) }))
      .filter((h) => h.plays_7d >= hotPlays || h.on_ssd);
    ids.forEach((id, i) => counts[i] < hotPlays && this.hot.delete(id)); // cooled down
    const ssd = {
      used_bytes: this.ssd.used,
      capacity_bytes: this.ssd.capacity,
      files: this.ssd.entries.size,
      dir: this.ssd.dir,
      filesystem: await this.ssd.filesystem(),
    };
    return { tiers, ssd, active_slots: await this.slots.active(), hot_contents };
  }

  async health(): Promise<HealthReport> {
    const { redis, shared } = this.o;
    if (redis && redis.status !== 'ready')
      return { status: 'degraded', reason: `Redis ${redis.status}: L2 off, slots per process` };
    if (!this.ssdReady) return { status: 'degraded', reason: 'SSD cache directory unusable' };
    const nas = await access(shared.libraryDir).then(
      () => true,
      () => false,
    );
    return nas
      ? { status: 'healthy' }
      : { status: 'degraded', reason: 'library (NAS) unreachable' };
  }

  async close(): Promise<void> {
    this.ssdReady = false;
    await this.promotions.close(
      new BlockError('SHUTTING_DOWN', 'the cache block stopped before the copy', {
        status: 503,
        retryable: true,
      }),
    );
  }
}
