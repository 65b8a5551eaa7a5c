/**
 * What a block is, to the orchestrator: one small manifest object. The manifest names the
 * block, the contract versions it serves and the ones it needs; `setup` builds the live block
 * from a context the orchestrator hands it (a logger, its own settings, the shared settings, a
 * client to call other blocks). A block never receives another block, only that client.
 */
import type { z } from 'zod';
import type { Logger } from 'pino';
import type { FastifyInstance } from 'fastify';
import type {
  ActionName,
  ContractId,
  ContractOf,
  EventName,
  EventPayload,
} from './contracts/define.ts';
import type { Envelope } from './message.ts';
import type { BlockClient } from './client.ts';
import type { SettingsEnv } from '../platform/settings.ts';
import type { SharedSettings } from './settings.ts';
import type { BlockInfo } from './registry.ts';
import type { BreakerState } from './resilience.ts';
import type { DeadLetter, TransportState } from './bus/types.ts';

export type { BlockStatus } from './registry.ts';
import type { BlockStatus } from './registry.ts';

/** The context of one request or event being handled: its correlation id travels onwards. */
export interface CallContext extends BlockClient {
  // (implemented by HandlerContext in client.ts)
  readonly correlationId: string;
  /** The block (or gateway) that sent the request. */
  readonly source: string;
  /**
   * Set while handling a durable event: `<event>/<id>`, identical on every redelivery of that
   * message, so a handler with side effects can make them idempotent by it.
   */
  readonly messageId?: string;
}

export type ActionHandler<C extends ContractId, A extends ActionName<C>> = (
  input: z.output<ContractOf<C>['actions'][A]['input']>,
  call: CallContext,
) =>
  | Promise<z.input<ContractOf<C>['actions'][A]['output']>>
  | z.input<ContractOf<C>['actions'][A]['output']>;

export type ContractHandlers<C extends ContractId> = { [A in ActionName<C>]: ActionHandler<C, A> };

export type EventHandler<E extends EventName> = (
  payload: EventPayload<E>,
  call: CallContext,
  message: Envelope,
) => void | Promise<void>;

export type EventHandlers = { [E in EventName]?: EventHandler<E> };

export interface HealthReport {
  status: Exclude<BlockStatus, 'starting' | 'stopped'>;
  reason?: string;
}

export interface Dependency {
  contract: ContractId;
  /**
   * An optional dependency that is missing leaves the block healthy; a required one degrades it.
   */
  optional?: boolean;
}

export interface BlockRuntime<Cs extends ContractId> {
  handlers: { [C in Cs]: ContractHandlers<C> };
  events?: EventHandlers;
  /** Mounts the block's HTTP routes; the app is already prefixed with /api. */
  routes?: (app: FastifyInstance) => void | Promise<void>;
  health?: () => HealthReport | Promise<HealthReport>;
  stop?: () => void | Promise<void>;
}

/** A read-only view of the system, for blocks that report on it (the admin dashboard). */
export interface SystemView {
  blocks(): Array<BlockInfo & { breaker: BreakerState }>;
  transport(): { kind: 'memory' | 'redis'; state: TransportState };
  /** The most recent dead-lettered domain events of every event type, newest first. */
  deadLetters(limit: number): Promise<DeadLetter[]>;
  /**
   * Gives one dead letter back to its consumer group (after its cause was fixed); false if unknown.
   */
  replayDeadLetter(channel: string, group: string, id: string): Promise<boolean>;
  nodeId: string;
}

export interface BlockSetupContext<S = unknown> {
  readonly id: string;
  readonly system: SystemView;
  /** This block's own settings, read by its manifest's `settings` once, at registration. */
  readonly settings: S;
  /** What every block may know of the deployment: data and library directories, database, Redis. */
  readonly shared: SharedSettings;
  readonly log: Logger;
  /** Calls other blocks and publishes events with this block as the source. */
  readonly client: BlockClient;
  readonly nodeId: string;
}

export interface BlockManifest<Cs extends ContractId = ContractId, S = unknown> {
  id: string;
  name: string;
  version: string;
  contracts: readonly Cs[];
  dependencies?: readonly Dependency[];
  /** HTTP paths the block serves, for the registry (informational). */
  endpoints?: readonly string[];
  /**
   * Reads the block's own settings from the environment (throwing ConfigError for a bad value).
   * Called once, when the block is registered, so a bad setting stops start-up before any block
   * starts; the result reaches `setup` as `ctx.settings`.
   */
  settings?: (env: SettingsEnv) => S;
  setup(ctx: BlockSetupContext<S>): BlockRuntime<Cs> | Promise<BlockRuntime<Cs>>;
}

/**
 * A manifest of any block, as lists of blocks hold them. Its contracts and settings are each
 * block's own (and handler maps are invariant in them), so a list can only say "some block".
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- differ per block, see above
export type AnyBlockManifest = BlockManifest<any, any>;

/** Identity helper that keeps the manifest's contract list precise for type checking. */
export function defineBlock<const Cs extends ContractId, S = undefined>(
  manifest: BlockManifest<Cs, S>,
): BlockManifest<Cs, S> {
  return manifest;
}
