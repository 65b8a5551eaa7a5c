/**
 * What the parts of one orchestrator node (request path, remote calls, event delivery, block
 * lifecycle) share. The orchestrator builds it once and hands the same object to each part, so
 * no part reaches into another except through what is listed here.
 */
import type { Logger } from 'pino';
import type { MessageBus } from './bus/types.ts';
import type { HandlerTable } from './calls.ts';
import type { ContractCatalog } from './catalog.ts';
import type { ClientCore } from './client.ts';
import type { DeadlineSweeper } from './deadlines.ts';
import type { OrchestratorMetrics } from './metrics.ts';
import type { BlockRegistry } from './registry.ts';
import type { BreakerBoard } from './resilience.ts';
import type { OrchestratorSettings } from './settings.ts';

export interface NodeParts {
  readonly nodeId: string;
  readonly log: Logger;
  readonly bus: MessageBus;
  readonly settings: OrchestratorSettings;
  readonly registry: BlockRegistry;
  readonly metrics: OrchestratorMetrics;
  readonly catalog: ContractCatalog;
  /** The handlers of the blocks hosted here: the lifecycle fills it, the request paths read it. */
  readonly handlers: HandlerTable;
  readonly sweeper: DeadlineSweeper;
  readonly breakers: BreakerBoard;
  /** The orchestrator as a handler's client sees it (requests and events). */
  readonly core: ClientCore;
  /** Whether the block is hosted here and currently serving. */
  servesLocally(blockId: string): boolean;
  /** Counts and logs a message that arrived but will not be acted on. */
  readonly reject: (channel: string, reason: string, correlationId?: string) => void;
  childLogger(blockId: string, correlationId: string | undefined): Logger;
}
