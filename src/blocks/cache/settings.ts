/**
 * The cache block's own settings, read from the environment once, when the block is registered
 * (a bad value stops start-up with the variable's name). Documented in docs/blocks/04-cache.md.
 * Redis and the bus namespace are shared settings (`ctx.shared`), not the cache's own.
 */
import { resolve } from 'node:path';
import { z } from 'zod';
import type { BlockSetupContext } from '../../orchestration/index.ts';
import { intSetting as int, readSettings, type SettingsEnv } from '../../platform/settings.ts';

const Schema = z
  .object({
    /** Fast local copies of hot videos; `<data dir>/ssd-cache` when unset. */
    WSOPTV_SSD_CACHE_DIR: z.string().min(1).optional(),
    WSOPTV_SSD_CACHE_BYTES: int(50 * 1024 ** 3, 1024),
    WSOPTV_MEMORY_CACHE_ENTRIES: int(10_000, 10),
    WSOPTV_HOT_PLAYS: int(5, 1),
    WSOPTV_HOT_WINDOW_DAYS: int(7, 1),
    // The stream slots the cache counts (the stream block reads the same variables for itself).
    WSOPTV_STREAM_MAX_PER_USER: int(3, 1),
    WSOPTV_STREAM_MAX_TOTAL: int(20, 1),
    /** A playback session with no acquire/touch for this long gives its slot back. */
    WSOPTV_STREAM_IDLE_MS: int(60_000, 100),
  })
  .transform((c) => ({
    /** Absolute; undefined when unset (then `ssdDirOf` places it in the data directory). */
    ssdDir: c.WSOPTV_SSD_CACHE_DIR === undefined ? undefined : resolve(c.WSOPTV_SSD_CACHE_DIR),
    ssdBytes: c.WSOPTV_SSD_CACHE_BYTES,
    memoryEntries: c.WSOPTV_MEMORY_CACHE_ENTRIES,
    hotPlays: c.WSOPTV_HOT_PLAYS,
    hotWindowDays: c.WSOPTV_HOT_WINDOW_DAYS,
    slots: {
      maxPerUser: c.WSOPTV_STREAM_MAX_PER_USER,
      maxTotal: c.WSOPTV_STREAM_MAX_TOTAL,
      idleMs: c.WSOPTV_STREAM_IDLE_MS,
    },
  }));

export type CacheSettings = z.output<typeof Schema>;
type DataDir = Pick<BlockSetupContext['shared'], 'dataDir'>;

/** The SSD cache directory: WSOPTV_SSD_CACHE_DIR, or `<data dir>/ssd-cache`. Absolute. */
export const ssdDirOf = (settings: CacheSettings, shared: DataDir): string =>
  settings.ssdDir ?? resolve(shared.dataDir, 'ssd-cache');

/**
 * Throws ConfigError naming each bad variable. Given the shared settings, the SSD directory is
 * resolved too; the manifest reads without them and `setup` resolves it from `ctx.shared`.
 */
export function readCacheSettings(env: SettingsEnv, shared?: DataDir): CacheSettings {
  const settings = readSettings(Schema, env, 'cache settings');
  return shared ? { ...settings, ssdDir: ssdDirOf(settings, shared) } : settings;
}
