/** The orchestrator's tunables and their defaults (the environment maps onto these in platform/config). */
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
