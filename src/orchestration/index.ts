/**
 * The orchestration layer's public API: the only orchestration module a block may import
 * (besides the contracts). Internals such as the transports stay behind it.
 */
export {
  Orchestrator,
  defaultSettings,
  type OrchestratorOptions,
  type OrchestratorSettings,
} from './orchestrator.ts';
export {
  defineBlock,
  type AnyBlockManifest,
  type BlockManifest,
  type BlockRuntime,
  type BlockSetupContext,
  type BlockStatus,
  type CallContext,
  type ContractHandlers,
  type Dependency,
  type EventHandlers,
  type HealthReport,
  type SystemView,
} from './block.ts';
export { BlockClient, HandlerContext, type RequestOptions, type PublishOptions } from './client.ts';
export {
  BlockError,
  OrchestrationCodes,
  isInfrastructureError,
  toBlockError,
  type SerializedError,
} from './errors.ts';
export { createEnvelope, envelopeProblem, newCorrelationId, type Envelope } from './message.ts';
export type { BlockInfo } from './registry.ts';
export type { BreakerState } from './resilience.ts';
export type { DeadLetter, MessageBus, TransportState } from './bus/types.ts';
export { createBus, type BusConfig } from './bus/index.ts';
export * from './contracts/index.ts';
export {
  bearerToken,
  installSessions,
  requireUser,
  type GuardOptions,
  type Session,
  type SessionAuthenticator,
} from './http-auth.ts';
export { mockBlock, type MockBlock, type MockCall } from './testing.ts';
