/**
 * The cache block: memory/Redis/SSD/NAS tiers, stream paths, hot promotion and stream slots
 * (docs/blocks/04-cache.md).
 */
import { Redis } from 'ioredis';
import { defineBlock, type ContractHandlers } from '../../orchestration/index.ts';
import { CacheService } from './service.ts';
import { readCacheSettings, ssdDirOf } from './settings.ts';

const OK = { ok: true as const };

const handlers = (s: CacheService): ContractHandlers<'cache:v1'> => ({
  get: ({ key }) => s.kv.get(`kv:${key}`),
  set: async ({ key, value, ttl_seconds }) => (await s.kv.set(`kv:${key}`, value, ttl_seconds), OK),
  delete: async ({ key }) => (await s.kv.delete(`kv:${key}`), OK),
  get_stream_path: ({ content_id }, call) => s.streamPath(content_id, call),
  warm_content: ({ content_id, media_path }, call) => s.warm(content_id, media_path, call),
  acquire_stream_slot: ({ user_id, session_id }) => s.slots.acquire(user_id, session_id),
  release_stream_slot: async ({ user_id, session_id }) => (
    await s.slots.release(user_id, session_id),
    OK
  ),
  touch_stream_slot: async ({ user_id, session_id }) => ({
    active: await s.slots.touch(user_id, session_id),
  }),
  get_cache_stats: () => s.stats(),
});

export default defineBlock({
  id: 'cache',
  name: 'Cache',
  version: '1.0.0',
  contracts: ['cache:v1'],
  dependencies: [{ contract: 'content:v1' }],
  settings: (env) => readCacheSettings(env),
  async setup(ctx) {
    const { settings, shared, log } = ctx;
    // Fail fast while Redis is away (no offline queue): the service falls back to this process.
    const options = {
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      commandTimeout: 1000,
      connectTimeout: shared.redisConnectTimeoutMs,
    };
    const redis = shared.redisUrl ? new Redis(shared.redisUrl, options) : undefined;
    redis?.on('error', () => {}); // reported through health and the service's throttled warning
    await redis
      ?.connect()
      .catch((err: unknown) => log.warn({ err }, 'cache: Redis not reachable at start-up'));
    const service = await new CacheService({
      settings: { ...settings, ssdDir: ssdDirOf(settings, shared) },
      shared,
      log,
      client: ctx.client,
      redis,
      system: ctx.system,
    }).open();
    return {
      handlers: { 'cache:v1': handlers(service) },
      events: {
        stream_started: ({ content_id, session_id }, call) =>
          service.played(content_id, session_id, call),
        content_deleted: ({ content_id }) => service.purge(content_id),
        content_updated: ({ content_id }) => service.kv.delete(`path:${content_id}`),
        cache_invalidated: ({ keys, origin }) => service.dropLocal(keys, origin),
      },
      health: () => service.health(),
      stop: () => service.close().finally(() => redis?.disconnect()),
    };
  },
});
