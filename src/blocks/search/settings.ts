/**
 * The search block's own settings, read from the environment once, when the block is registered
 * (a bad value stops start-up with the variable's name). Documented in docs/blocks/06-search.md.
 */
import { z } from 'zod';
import { intSetting as int, readSettings, type SettingsEnv } from '../../platform/settings.ts';

const Schema = z
  .object({
    /** Set to use MeiliSearch at this URL instead of the in-process index. */
    MEILI_URL: z.string().url().optional(),
    MEILI_KEY: z.string().optional(),
    /** First retry delay of a failed rebuild, doubling up to 10 s. */
    WSOPTV_SEARCH_RETRY_MS: int(1000, 50),
  })
  .transform((c) => ({
    meiliUrl: c.MEILI_URL,
    meiliKey: c.MEILI_KEY,
    retryMs: c.WSOPTV_SEARCH_RETRY_MS,
  }));

export type SearchSettings = z.output<typeof Schema>;

/** Throws ConfigError naming each bad variable. */
export const readSearchSettings = (env: SettingsEnv): SearchSettings =>
  readSettings(Schema, env, 'search settings');
