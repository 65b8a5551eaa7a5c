/**
 * What a process hands its orchestrator, and how the orchestrator fills in what was left out.
 * Every default here is one an empty environment would give, so tests can build a node from
 * a logger and a bus alone.
 */
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import type { MessageBus } from './bus/types.ts';
import type { BusConfig } from './bus/index.ts';
import type { Contract } from './contracts/define.ts';
import { defaultSettings, type OrchestratorSettings, type SharedSettings } from './settings.ts';
import type { SettingsEnv } from '../platform/settings.ts';

export interface OrchestratorOptions {
  /** A transport configuration (the orchestrator builds the bus and watches it) or a ready bus. */
  bus: BusConfig | MessageBus;
  logger: Logger;
  nodeId?: string;
  settings?: Partial<OrchestratorSettings>;
  /** Contracts known to this node; defaults to every production contract. */
  contracts?: readonly Contract[];
  collectProcessMetrics?: boolean;
  /** The environment each block's `settings` reads at registration; default: an empty one. */
  env?: SettingsEnv;
  /** The deployment facts handed to every block; default: those of an empty environment. */
  shared?: SharedSettings;
  /**
   * Names this process's durable consumer groups (`<block>.<instance>`); default: the host name.
   */
  instance?: string;
}

/** A node id unique across restarts and machines: host, process and a random suffix. */
export function newNodeId(): string {
  return `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
}

/** The defaults with the caller's overrides on top; a zero request timeout is refused. */
export function resolveSettings(overrides?: Partial<OrchestratorSettings>): OrchestratorSettings {
  const settings = Object.freeze({
    ...defaultSettings,
    ...overrides,
    breaker: { ...defaultSettings.breaker, ...overrides?.breaker },
  });
  if (!(settings.requestTimeoutMs > 0))
    throw new Error('requestTimeoutMs must be greater than zero');
  return settings;
}
