/**
 * The stream block's own settings, read from the environment once, when the block is registered
 * (a bad value stops start-up with the variable's name). Documented in docs/blocks/03-stream.md.
 * The library and data directories are shared settings (`ctx.shared`), not the stream's own.
 */
import { z } from 'zod';
import { intSetting as int, readSettings, type SettingsEnv } from '../../platform/settings.ts';

const Schema = z
  .object({
    // The same slot limits the cache block counts; the stream block applies them itself while
    // the cache is down, so both read the same variables.
    WSOPTV_STREAM_MAX_PER_USER: int(3, 1),
    WSOPTV_STREAM_MAX_TOTAL: int(20, 1),
    /** A playback session with no request for this long gives its slot back. */
    WSOPTV_STREAM_IDLE_MS: int(60_000, 100),
    /** Lifetime of a signed media URL handed to the <video> element (6 hours). */
    WSOPTV_MEDIA_URL_TTL_S: int(6 * 3600, 10),
    /** Behind nginx: answer with X-Accel-Redirect to this internal location instead of bytes. */
    WSOPTV_ACCEL_REDIRECT_PREFIX: z
      .string()
      .regex(/^\/[A-Za-z0-9_\-/]*$/, 'an absolute URL path such as /protected-media/')
      .optional(),
  })
  .transform((c) => ({
    slots: {
      maxPerUser: c.WSOPTV_STREAM_MAX_PER_USER,
      maxTotal: c.WSOPTV_STREAM_MAX_TOTAL,
      idleMs: c.WSOPTV_STREAM_IDLE_MS,
    },
    mediaUrlTtlMs: c.WSOPTV_MEDIA_URL_TTL_S * 1000,
    accelRedirectPrefix: c.WSOPTV_ACCEL_REDIRECT_PREFIX,
  }));

export type StreamSettings = z.output<typeof Schema>;

/** Throws ConfigError naming each bad variable. */
export const readStreamSettings = (env: SettingsEnv): StreamSettings =>
  readSettings(Schema, env, 'stream settings');
