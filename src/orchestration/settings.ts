/**
 * The orchestrator's tunables and their defaults, and the deployment facts it hands every block.
 * The composition root maps the environment onto these (src/app/config.ts); the layer itself
 * never reads the environment.
 */
import { hostname } from 'node:os';
import { resolve } from 'node:path';
import type { BreakerOptions } from './resilience.ts';

export interface OrchestratorSettings {
  /** Default timeout of every request, overridable per call. Never zero. */
  requestTimeoutMs: number;
  heartbeatIntervalMs: number;
  /** A remote instance silent for this long is unhealthy. */
  livenessTimeoutMs: number;
  /** Interval of in-process block health checks. */
  healthIntervalMs: number;
  /** Interval of HTTP health-URL checks of external blocks (spec: 30 s). */
  httpHealthIntervalMs: number;
  healthTimeoutMs: number;
  /** A silent remote instance leaves the registry after this long. */
  registryTtlMs: number;
  breaker: BreakerOptions;
}

export const defaultSettings: OrchestratorSettings = Object.freeze({
  requestTimeoutMs: 5000,
  heartbeatIntervalMs: 400,
  livenessTimeoutMs: 1200,
  healthIntervalMs: 1000,
  httpHealthIntervalMs: 30_000,
  healthTimeoutMs: 5000,
  registryTtlMs: 60_000,
  breaker: Object.freeze({ failureThreshold: 5, halfOpenAfterMs: 5000 }),
});

/**
 * What every block may know of the deployment it runs in. None of it belongs to one block: the
 * data directory and database hold every block's own store, the library is the archive on the
 * NAS, Redis is shared infrastructure. A block's own settings are its own (`manifest.settings`).
 */
export interface SharedSettings {
  /** Where blocks keep their files (SQLite databases, keys, caches). Absolute. */
  readonly dataDir: string;
  /** The video archive (the NAS). Absolute. */
  readonly libraryDir: string;
  /** PostgreSQL instead of SQLite when set. */
  readonly databaseUrl?: string;
  /** PostgreSQL schemas are `<prefix>_<block>`. */
  readonly dbSchemaPrefix: string;
  /** Redis, when the deployment has one (multi-process mode). */
  readonly redisUrl?: string;
  readonly redisConnectTimeoutMs: number;
  /** Separates deployments sharing one Redis. */
  readonly busNamespace?: string;
}

/** The shared settings of an empty environment; the platform configuration starts from these. */
export const defaultSharedSettings: SharedSettings = Object.freeze({
  dataDir: resolve('./data'),
  libraryDir: resolve('./library'),
  dbSchemaPrefix: 'wsoptv',
  redisConnectTimeoutMs: 5000,
});

/**
 * The default name of this process's durable consumer groups: the host name, so that a process
 * restarted on the same machine receives the events it missed.
 */
export function defaultInstance(): string {
  return (
    hostname()
      .replace(/[^A-Za-z0-9_-]/g, '-')
      .slice(0, 40) || 'main'
  );
}
