/**
 * Every production contract, by id. Adding a version means adding a module (or an export in
 * the block's module) and a line here; both versions stay listed while any block serves them.
 */
import { adminV1 } from './admin.ts';
import { authV1 } from './auth.ts';
import { cacheV1 } from './cache.ts';
import { contentV1 } from './content.ts';
import { contentV2 } from './content-v2.ts';
import type { Contract } from './define.ts';
import { orchestratorV1 } from './orchestrator.ts';
import { searchV1 } from './search.ts';
import { streamV1 } from './stream.ts';
import { workerV1 } from './worker.ts';

export const productionContracts = [
  orchestratorV1,
  authV1,
  contentV1,
  contentV2,
  streamV1,
  cacheV1,
  adminV1,
  searchV1,
  workerV1,
] as const satisfies readonly Contract[];

declare module './define.ts' {
  interface ContractRegistry {
    'orchestrator:v1': typeof orchestratorV1;
    'auth:v1': typeof authV1;
    'content:v1': typeof contentV1;
    'content:v2': typeof contentV2;
    'stream:v1': typeof streamV1;
    'cache:v1': typeof cacheV1;
    'admin:v1': typeof adminV1;
    'search:v1': typeof searchV1;
    'worker:v1': typeof workerV1;
  }
}

export * from './define.ts';
export {
  orchestratorV1,
  SYSTEM_EVENTS,
  BlockStatusSchema,
  BreakerStateSchema,
} from './orchestrator.ts';
export { authV1, AccountCodes, User, UserStatus, UserRole, Session } from './auth.ts';
export { contentV1, Content, Catalog, Progress } from './content.ts';
export {
  contentV2,
  ContentV2,
  EventSummary,
  Structure,
  StructurePatch,
  ViewerSettings,
} from './content-v2.ts';
export { streamV1, PlaybackSession } from './stream.ts';
export { cacheV1, SlotDecision, Tier } from './cache.ts';
export { adminV1, AuditEntry } from './admin.ts';
export { searchV1, SearchHit, SearchQuery, SearchResult, IndexDocument } from './search.ts';
export { workerV1, Job, JobType, JobPriority, JobStatus } from './worker.ts';
