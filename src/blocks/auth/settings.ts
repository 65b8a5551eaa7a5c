/**
 * The auth block's own settings, read from the environment once, when the block is registered
 * (a bad value stops start-up with the variable's name). Documented in docs/blocks/01-auth.md.
 */
import { z } from 'zod';
import { intSetting as int, readSettings, type SettingsEnv } from '../../platform/settings.ts';

const Schema = z
  .object({
    /** HS256 signing secret; generated and kept in the block's database when unset. */
    WSOPTV_JWT_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
    /** The first administrator, created at start-up when both email and password are set. */
    WSOPTV_ADMIN_EMAIL: z.email().optional(),
    WSOPTV_ADMIN_PASSWORD: z.string().min(8).optional(),
    WSOPTV_ADMIN_USERNAME: z.string().min(3).max(32).default('admin'),
    /** bcrypt cost; 12 in production. Tests may lower it to keep the suite fast. */
    WSOPTV_BCRYPT_COST: int(12, 4).refine((n) => n <= 15, 'must be at most 15'),
    WSOPTV_LOGIN_MAX_FAILURES: int(5, 1),
    WSOPTV_LOGIN_WINDOW_MS: int(60_000, 1000),
    WSOPTV_ACCESS_TOKEN_TTL_S: int(3600, 60),
    WSOPTV_REFRESH_TOKEN_TTL_S: int(7 * 24 * 3600, 300),
  })
  .transform((c) => ({
    jwtSecret: c.WSOPTV_JWT_SECRET,
    admin:
      c.WSOPTV_ADMIN_EMAIL && c.WSOPTV_ADMIN_PASSWORD
        ? {
            email: c.WSOPTV_ADMIN_EMAIL,
            password: c.WSOPTV_ADMIN_PASSWORD,
            username: c.WSOPTV_ADMIN_USERNAME,
          }
        : undefined,
    bcryptCost: c.WSOPTV_BCRYPT_COST,
    loginMaxFailures: c.WSOPTV_LOGIN_MAX_FAILURES,
    loginWindowMs: c.WSOPTV_LOGIN_WINDOW_MS,
    accessTokenTtlS: c.WSOPTV_ACCESS_TOKEN_TTL_S,
    refreshTokenTtlS: c.WSOPTV_REFRESH_TOKEN_TTL_S,
  }));

export type AuthSettings = z.output<typeof Schema>;
export type FirstAdmin = NonNullable<AuthSettings['admin']>;

/** Throws ConfigError naming each bad variable. */
export const readAuthSettings = (env: SettingsEnv): AuthSettings =>
  readSettings(Schema, env, 'auth settings');
