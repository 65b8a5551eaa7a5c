/**
 * The worker block's own settings, read from the environment once, when the block is registered
 * (a bad value stops start-up with the variable's name). Documented in docs/blocks/07-worker.md.
 * The library, the data directory, the database, Redis and the bus namespace are shared settings
 * (`ctx.shared`), not the worker's own.
 */
import { resolve } from 'node:path';
import { z } from 'zod';
import type { BlockSetupContext } from '../../orchestration/index.ts';
import type { QueueSettings } from '../../platform/queue/index.ts';
import { intSetting as int, readSettings, type SettingsEnv } from '../../platform/settings.ts';

const Schema = z
  .object({
    /** Where thumbnails are written and served from; `<data dir>/thumbnails` when unset. */
    WSOPTV_THUMBNAIL_DIR: z.string().min(1).optional(),
    /** Jobs at a time per worker process. */
    WSOPTV_WORKER_CONCURRENCY: int(2, 1),
    /** Time limit of one attempt. */
    WSOPTV_JOB_TIMEOUT_MS: int(10 * 60_000, 100),
    /** How long finished jobs are kept before `cleanup` deletes them. */
    WSOPTV_JOB_RETENTION_DAYS: int(7, 1),
    /** Run a library scan at start-up when the catalog is empty. */
    WSOPTV_SCAN_ON_START: z.enum(['true', 'false']).default('true'),
    /** The video tools; by default found on PATH. */
    WSOPTV_FFMPEG: z.string().min(1).default('ffmpeg'),
    WSOPTV_FFPROBE: z.string().min(1).default('ffprobe'),
    /**
     * Default: BullMQ when REDIS_URL is set, else the SQL table. `sql` keeps jobs in the database
     * even with Redis.
     */
    WSOPTV_JOB_QUEUE: z.enum(['sql', 'bullmq']).optional(),
    /** A claimed job whose worker stops renewing its lease is claimed again after this long. */
    WSOPTV_JOB_LEASE_MS: int(30_000, 100),
    /** Retry n waits base · 4^(n-1). */
    WSOPTV_JOB_BACKOFF_MS: int(1000, 1),
    /** SQL queue: how often an idle worker looks for jobs enqueued by other processes. */
    WSOPTV_JOB_POLL_MS: int(250, 5),
  })
  .transform((c) => ({
    /** Absolute; undefined when unset (then `thumbnailDirOf` places it in the data directory). */
    thumbnailDir:
      c.WSOPTV_THUMBNAIL_DIR === undefined ? undefined : resolve(c.WSOPTV_THUMBNAIL_DIR),
    retentionDays: c.WSOPTV_JOB_RETENTION_DAYS,
    scanOnStart: c.WSOPTV_SCAN_ON_START === 'true',
    tools: { ffmpeg: c.WSOPTV_FFMPEG, ffprobe: c.WSOPTV_FFPROBE },
    queueKind: c.WSOPTV_JOB_QUEUE,
    queue: {
      concurrency: c.WSOPTV_WORKER_CONCURRENCY,
      timeoutMs: c.WSOPTV_JOB_TIMEOUT_MS,
      backoffBaseMs: c.WSOPTV_JOB_BACKOFF_MS,
      leaseMs: c.WSOPTV_JOB_LEASE_MS,
      pollMs: c.WSOPTV_JOB_POLL_MS,
    } satisfies QueueSettings,
  }));

export type WorkerSettings = z.output<typeof Schema>;
/** The settings as the running block uses them: the thumbnail directory is known. */
export type ResolvedWorkerSettings = WorkerSettings & { thumbnailDir: string };
/** Paths of the video tools (WSOPTV_FFMPEG / WSOPTV_FFPROBE). */
export type Tools = WorkerSettings['tools'];
type DataDir = Pick<BlockSetupContext['shared'], 'dataDir'>;

/** The thumbnail directory: WSOPTV_THUMBNAIL_DIR, or `<data dir>/thumbnails`. Absolute. */
export const thumbnailDirOf = (settings: WorkerSettings, shared: DataDir): string =>
  settings.thumbnailDir ?? resolve(shared.dataDir, 'thumbnails');

/**
 * Throws ConfigError naming each bad variable. Given the shared settings, the thumbnail directory
 * is resolved too; the manifest reads without them and `setup` resolves it from `ctx.shared`.
 */
export function readWorkerSettings(env: SettingsEnv, shared: DataDir): ResolvedWorkerSettings;
// Last, so that the manifest's `settings: readWorkerSettings` is typed by it.
export function readWorkerSettings(env: SettingsEnv): WorkerSettings;
export function readWorkerSettings(env: SettingsEnv, shared?: DataDir): WorkerSettings {
  const settings = readSettings(Schema, env, 'worker settings');
  return shared ? { ...settings, thumbnailDir: thumbnailDirOf(settings, shared) } : settings;
}
