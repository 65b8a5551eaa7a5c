/**
 * The process's configuration, read from the environment once at start-up, checked, frozen: the
 * HTTP server, the shared settings every block may know (directories, database, Redis), the
 * bus and the orchestrator's tunables. Each block reads its own variables itself (its manifest's
 * `settings`, from `env`). A bad value fails start-up with the variable's name.
 */
import { resolve } from 'node:path';
import { z } from 'zod';
// The orchestrator's defaults are defined once, next to the code that uses them.
import {
  defaultInstance,
  defaultSettings,
  defaultSharedSettings as shared,
  type OrchestratorSettings,
} from '../orchestration/settings.ts';
import { ConfigError, deepFreeze, intSetting as int, readSettings } from '../platform/settings.ts';

export { ConfigError };

const Schema = z.object({
  PORT: int(8080, 0).refine((p) => p <= 65535, 'must be a TCP port'),
  HOST: z.string().min(1).default('127.0.0.1'),
  /** Behind a reverse proxy: trust X-Forwarded-For so per-address limits see the real client. */
  WSOPTV_TRUST_PROXY: z.enum(['true', 'false']).default('false'),
  /** Serve the built web app at / (off for processes that only host blocks). */
  WSOPTV_SERVE_WEB: z.enum(['true', 'false']).default('true'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  REDIS_URL: z.string().url().optional(),
  DATABASE_URL: z.string().url().optional(),
  WSOPTV_DATA_DIR: z.string().min(1).default(shared.dataDir),
  /** PostgreSQL schemas are `<prefix>_<block>`; tests use a prefix of their own. */
  WSOPTV_DB_SCHEMA_PREFIX: z
    .string()
    .regex(/^[a-z][a-z0-9_]{0,30}$/, 'lower-case letters, digits or _')
    .default(shared.dbSchemaPrefix),
  WSOPTV_LIBRARY_DIR: z.string().min(1).default(shared.libraryDir),
  /** Comma-separated block ids to host in this process; empty means every block. */
  WSOPTV_BLOCKS: z.string().default(''),
  WSOPTV_REQUEST_TIMEOUT_MS: int(defaultSettings.requestTimeoutMs, 1),
  WSOPTV_HEARTBEAT_MS: int(defaultSettings.heartbeatIntervalMs, 50),
  WSOPTV_LIVENESS_TIMEOUT_MS: int(defaultSettings.livenessTimeoutMs, 100),
  WSOPTV_HEALTH_INTERVAL_MS: int(defaultSettings.healthIntervalMs, 50),
  WSOPTV_HTTP_HEALTH_INTERVAL_MS: int(defaultSettings.httpHealthIntervalMs, 100),
  WSOPTV_HEALTH_TIMEOUT_MS: int(defaultSettings.healthTimeoutMs, 100),
  WSOPTV_BREAKER_THRESHOLD: int(defaultSettings.breaker.failureThreshold, 1),
  WSOPTV_BREAKER_HALF_OPEN_MS: int(defaultSettings.breaker.halfOpenAfterMs, 10),
  WSOPTV_REDIS_CONNECT_TIMEOUT_MS: int(shared.redisConnectTimeoutMs, 100),
  /** Deliveries of a domain event whose handler keeps failing before it is dead-lettered. */
  WSOPTV_EVENT_MAX_DELIVERIES: int(5, 1),
  /** Shared secret that signs every bus message between processes (at least 32 characters). */
  WSOPTV_BUS_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  /**
   * Names this process's durable consumer groups (`<block>.<instance>`): a restarted process
   * reusing its name receives the events it missed. Default: the host name. Two processes on one
   * machine hosting the same block must be given different names.
   */
  WSOPTV_INSTANCE: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,40}$/, 'letters, digits, - or _ (at most 40)')
    .optional(),
  /** Separates deployments sharing one Redis; channels become `<ns>:block:<channel>`. */
  WSOPTV_BUS_NAMESPACE: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,40}$/, 'letters, digits, - or _ (at most 40)')
    .optional(),
});

export type RawConfig = z.infer<typeof Schema>;

export interface AppConfig {
  port: number;
  host: string;
  trustProxy: boolean;
  serveWeb: boolean;
  logLevel: RawConfig['LOG_LEVEL'];
  redisUrl?: string;
  databaseUrl?: string;
  dataDir: string;
  dbSchemaPrefix: string;
  libraryDir: string;
  blocks: string[];
  redisConnectTimeoutMs: number;
  eventMaxDeliveries: number;
  busNamespace?: string;
  busSecret?: string;
  instance: string;
  /**
   * The environment this configuration was read from. Blocks read their own settings from it
   * (manifest.settings) when they are registered, so a test's configuration reaches them too.
   */
  env: Readonly<Record<string, string | undefined>>;
  // registryTtlMs keeps its default: it is not a setting operators need.
  orchestrator: Omit<OrchestratorSettings, 'registryTtlMs'>;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Readonly<AppConfig> {
  // Empty strings count as unset, so `REDIS_URL= npm start` means "no Redis".
  const c = readSettings(Schema, env);
  // REDIS_URL means multi-process mode: anyone who can reach Redis could otherwise speak as any
  // block, so the bus must be signed. The embedded (in-memory) mode needs no secret.
  if (c.REDIS_URL && !c.WSOPTV_BUS_SECRET) {
    throw new ConfigError(
      'invalid configuration:\n  WSOPTV_BUS_SECRET: required when REDIS_URL is set (multi-process mode signs every bus message); ' +
        'set it to the same random string of at least 32 characters in every process, e.g. `openssl rand -hex 32`',
    );
  }
  if (c.WSOPTV_LIVENESS_TIMEOUT_MS <= c.WSOPTV_HEARTBEAT_MS) {
    throw new ConfigError(
      'invalid configuration:\n  WSOPTV_LIVENESS_TIMEOUT_MS: must be longer than WSOPTV_HEARTBEAT_MS',
    );
  }
  return deepFreeze({
    env: { ...env },
    port: c.PORT,
    host: c.HOST,
    trustProxy: c.WSOPTV_TRUST_PROXY === 'true',
    serveWeb: c.WSOPTV_SERVE_WEB === 'true',
    logLevel: c.LOG_LEVEL,
    redisUrl: c.REDIS_URL,
    databaseUrl: c.DATABASE_URL,
    dataDir: resolve(c.WSOPTV_DATA_DIR),
    dbSchemaPrefix: c.WSOPTV_DB_SCHEMA_PREFIX,
    libraryDir: resolve(c.WSOPTV_LIBRARY_DIR),
    blocks: c.WSOPTV_BLOCKS.split(',')
      .map((s) => s.trim())
      .filter(Boolean),
    redisConnectTimeoutMs: c.WSOPTV_REDIS_CONNECT_TIMEOUT_MS,
    eventMaxDeliveries: c.WSOPTV_EVENT_MAX_DELIVERIES,
    busNamespace: c.WSOPTV_BUS_NAMESPACE,
    busSecret: c.WSOPTV_BUS_SECRET,
    instance: c.WSOPTV_INSTANCE ?? defaultInstance(),
    orchestrator: {
      requestTimeoutMs: c.WSOPTV_REQUEST_TIMEOUT_MS,
      heartbeatIntervalMs: c.WSOPTV_HEARTBEAT_MS,
      livenessTimeoutMs: c.WSOPTV_LIVENESS_TIMEOUT_MS,
      healthIntervalMs: c.WSOPTV_HEALTH_INTERVAL_MS,
      httpHealthIntervalMs: c.WSOPTV_HTTP_HEALTH_INTERVAL_MS,
      healthTimeoutMs: c.WSOPTV_HEALTH_TIMEOUT_MS,
      breaker: {
        failureThreshold: c.WSOPTV_BREAKER_THRESHOLD,
        halfOpenAfterMs: c.WSOPTV_BREAKER_HALF_OPEN_MS,
      },
    },
  });
}
