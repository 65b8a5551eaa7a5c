/** A block hosted in this process, as the orchestrator and the health monitor track it. */
import type { BlockManifest, BlockRuntime, HealthReport } from './block.ts';
import type { ContractId } from './contracts/define.ts';
import type { Unsubscribe } from './bus/types.ts';
import type { BlockInfo } from './registry.ts';

export interface LocalBlock {
  manifest: BlockManifest;
  /** What the manifest's `settings` read at registration (undefined when it has none). */
  settings: unknown;
  info: BlockInfo;
  runtime?: BlockRuntime<ContractId>;
  unsubscribe: Unsubscribe[];
  /** Why the block is degraded by a missing dependency, if it is. */
  dependencyProblem: string | null;
  report: HealthReport;
}
