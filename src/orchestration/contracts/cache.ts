import { z } from 'zod';
import { defineContract } from './define.ts';
import { Id, Ok } from './common.ts';

export const Tier = z.enum(['memory', 'redis', 'ssd', 'nas']);
const Key = z.string().min(1).max(512);

export const SlotDecision = z.object({
  granted: z.boolean(),
  /** Why a slot was refused: the per-user or the global limit. */
  reason: z.enum(['user_limit', 'global_limit']).nullable(),
  limit: z.number().int().nullable(),
  queue_position: z.number().int().nullable(),
  active_for_user: z.number().int(),
  active_total: z.number().int(),
});

export const cacheV1 = defineContract('cache', 'v1', {
  actions: {
    get: {
      input: z.object({ key: Key }),
      output: z.object({ hit: z.boolean(), value: z.unknown(), tier: Tier.nullable() }),
    },
    set: {
      input: z.object({
        key: Key,
        value: z.unknown(),
        ttl_seconds: z
          .number()
          .int()
          .min(1)
          .max(86_400 * 30)
          .default(600),
      }),
      output: Ok,
    },
    delete: { input: z.object({ key: Key }), output: Ok },
    get_stream_path: {
      input: z.object({ content_id: Id }),
      output: z.object({
        path: z.string(),
        tier: z.enum(['ssd', 'nas']),
        size: z.number().int(),
        mtime_ms: z.number(),
      }),
    },
    warm_content: {
      input: z.object({ content_id: Id, media_path: z.string().min(1).max(1000).optional() }),
      output: z.object({ copied: z.boolean(), bytes: z.number().int(), path: z.string() }),
      description:
        'Copies the item (its media_path if given, else the one content:v1 answers) to the SSD tier and answers when the copy is in place; copied=false when an up-to-date copy was already there. Can take minutes: give a long timeoutMs.',
    },
    acquire_stream_slot: { input: z.object({ user_id: Id, session_id: Id }), output: SlotDecision },
    release_stream_slot: { input: z.object({ user_id: Id, session_id: Id }), output: Ok },
    touch_stream_slot: {
      input: z.object({ user_id: Id, session_id: Id }),
      output: z.object({ active: z.boolean() }),
      description:
        'Keeps a held slot alive (call on every range request). active=false: the slot was released or went idle; acquire again.',
    },
    get_cache_stats: {
      input: z.object({}),
      output: z.object({
        tiers: z.record(
          z.string(),
          z.object({ hits: z.number(), misses: z.number(), hit_rate: z.number().nullable() }),
        ),
        ssd: z.object({
          used_bytes: z.number(),
          capacity_bytes: z.number(),
          files: z.number().int(),
          /**
           * The SSD cache directory and its filesystem, as the cache block sees them (added in
           * place: optional, so callers written before it are unaffected). Null when statfs fails.
           */
          dir: z.string().optional(),
          filesystem: z
            .object({ total_bytes: z.number(), free_bytes: z.number(), used_bytes: z.number() })
            .nullable()
            .optional(),
        }),
        active_slots: z.number().int(),
        hot_contents: z.array(
          z.object({ content_id: Id, plays_7d: z.number().int(), on_ssd: z.boolean() }),
        ),
      }),
    },
  },
  events: {
    hot_content_detected: z.object({
      content_id: Id,
      media_path: z.string(),
      plays_7d: z.number().int(),
    }),
    ssd_cache_full: z.object({
      used_bytes: z.number(),
      capacity_bytes: z.number(),
      evicted: z.number().int(),
    }),
    /**
     * Between cache instances sharing Redis: drop these keys from the in-process tier (origin = the
     * sender's instance).
     */
    cache_invalidated: z.object({ keys: z.array(z.string().min(1).max(1024)), origin: z.string() }),
  },
});
