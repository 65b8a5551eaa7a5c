/**
 * Reading settings from the environment: one schema per owner (the platform, each block), each
 * checked once at start-up. A bad value stops start-up with the variable's name and the rule it
 * broke, instead of surfacing later as a strange failure.
 */
import { z } from 'zod';

/** The environment as settings see it: names to values, unset ones absent. */
export type SettingsEnv = Readonly<Record<string, string | undefined>>;

/** A setting that is missing or malformed; start-up refuses it (the CLI exits with 2). */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** A whole number with a default and a lower bound, read from its text. */
export const intSetting = (def: number, min = 0) => z.coerce.number().int().min(min).default(def);

/** Drops unset and empty values: `REDIS_URL= npm start` means "no Redis", not "an empty URL". */
export function cleanEnv(env: SettingsEnv): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined && v !== '') out[k] = v;
  return out;
}

/**
 * Parses `env` with `schema`; throws ConfigError naming every bad variable. `owner` says whose
 * settings they are, so the message points at the right documentation.
 */
export function readSettings<S extends z.ZodType>(
  schema: S,
  env: SettingsEnv,
  owner = 'configuration',
): z.output<S> {
  const parsed = schema.safeParse(cleanEnv(env));
  if (parsed.success) return parsed.data;
  const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
  throw new ConfigError(`invalid ${owner}:\n${lines.join('\n')}`);
}

/** Freezes an object and everything it holds: settings do not change once read. */
export function deepFreeze<T>(value: T): Readonly<T> {
  if (value && typeof value === 'object') {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}
