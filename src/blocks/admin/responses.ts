/**
 * The answers of the /api/admin routes, as zod schemas: the router validates every response
 * against them (and documents them in OpenAPI), and the dashboard (web/src/pages/admin/types.ts)
 * takes its types from here, so the two cannot drift apart. Pure schemas: nothing here runs.
 */
import { z } from 'zod';
import {
  AuditEntry,
  BlockStatusSchema,
  BreakerStateSchema,
  Job,
  PlaybackSession,
  User,
} from '../../orchestration/contracts/index.ts';

const n = z.number().nullable();

/** Every refusal: a stable code, a human message and the request's correlation id. */
export const ErrorBody = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    correlation_id: z.string(),
    details: z.unknown().optional(),
  }),
});

/** GET /admin/users */
export const UsersPage = z.object({
  items: z.array(User),
  total: z.number().int(),
  page: z.number().int(),
  limit: z.number().int(),
});

/** GET /admin/streams: the live sessions with the viewer's name and the video's title. */
export const Streams = z.object({
  items: z.array(
    PlaybackSession.extend({
      username: z.string().nullable(),
      content_title: z.string().nullable(),
    }),
  ),
  total: z.number().int(),
});

/** GET /admin/cache */
export const Cache = z.object({
  tiers: z.record(z.string(), z.object({ hits: z.number(), misses: z.number(), hit_rate: n })),
  ssd: z.object({
    used_bytes: z.number(),
    capacity_bytes: z.number(),
    files: z.number().int(),
    usage_percent: n,
  }),
  active_slots: z.number().int(),
  hot_contents: z.array(
    z.object({
      content_id: z.string(),
      title: z.string().nullable(),
      plays_7d: z.number().int(),
      on_ssd: z.boolean(),
    }),
  ),
});

/** GET /admin/jobs */
export const JobsPage = z.object({
  items: z.array(Job),
  total: z.number().int(),
  limit: z.number().int(),
  offset: z.number().int(),
  stats: z.record(z.string(), z.number().int()).nullable(),
});

/** GET /admin/dead-letters */
export const DeadLetters = z.object({
  items: z.array(
    z.object({
      channel: z.string(),
      group: z.string(),
      id: z.string(),
      deliveries: z.number().int(),
      error: z.string(),
      at: z.string(),
      message: z.string(),
    }),
  ),
});

/** GET /admin/audit */
export const AuditPage = z.object({
  items: z.array(AuditEntry),
  total: z.number().int(),
  page: z.number().int(),
  limit: z.number().int(),
});

/** POST /admin/dead-letters/replay */
export const Replayed = z.object({ replayed: z.literal(true) });

export const Check = z.object({
  available: z.boolean(),
  code: z.string().nullable(),
  message: z.string().nullable(),
  ms: z.number(),
});
export const Disk = z.object({
  path: z.string(),
  available: z.boolean(),
  total_bytes: n,
  free_bytes: n,
  used_bytes: n,
  error: z.string().nullable(),
});

/** GET /admin/status: the whole system on one page. */
export const StatusReport = z.object({
  node_id: z.string(),
  generated_at: z.string(),
  took_ms: z.number(),
  uptime_s: z.number(),
  transport: z.object({ kind: z.enum(['memory', 'redis']), state: z.string() }),
  blocks: z.array(
    z.object({
      id: z.string(),
      name: z.string(),
      version: z.string(),
      status: BlockStatusSchema,
      status_reason: z.string().nullable(),
      up: z.boolean(),
      contracts: z.array(z.string()),
      node_id: z.string(),
      started_at: z.string(),
      last_seen: z.string(),
      breaker: BreakerStateSchema,
    }),
  ),
  /** Blocks of the production contracts that no process in sight runs. */
  missing_blocks: z.array(z.string()),
  dependencies: z.record(z.string(), Check),
  summary: z.object({
    active_streams: n,
    pending_users: n,
    queue: z.record(z.string(), z.number()).nullable(),
    cache_hit_rate: z.record(z.string(), n).nullable(),
  }),
  cpu: z.object({
    cores: z.number(),
    model: z.string().nullable(),
    load_avg: z.array(z.number()),
    process_user_ms: z.number(),
    process_system_ms: z.number(),
    process_percent: z.number(),
  }),
  memory: z.object({
    total_bytes: z.number(),
    free_bytes: z.number(),
    used_bytes: z.number(),
    process: z.object({
      rss: z.number(),
      heap_total: z.number(),
      heap_used: z.number(),
      external: z.number(),
    }),
  }),
  disks: z.object({
    /**
     * As the cache block reports it (cache:v1 get_cache_stats): null figures while it cannot
     * answer.
     */
    ssd: Disk.extend({ path: z.string().nullable(), capacity_bytes: n, cache_used_bytes: n }),
    nas: Disk.extend({ reachable: z.boolean() }),
  }),
});

export type ErrorBody = z.infer<typeof ErrorBody>;
export type UsersPage = z.infer<typeof UsersPage>;
export type Streams = z.infer<typeof Streams>;
export type Cache = z.infer<typeof Cache>;
export type JobsPage = z.infer<typeof JobsPage>;
export type DeadLetters = z.infer<typeof DeadLetters>;
export type AuditPage = z.infer<typeof AuditPage>;
export type StatusReport = z.infer<typeof StatusReport>;
export type Check = z.infer<typeof Check>;
export type Disk = z.infer<typeof Disk>;
