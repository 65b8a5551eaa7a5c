/** Builds orchestrators for tests, on the memory bus or a real Redis, and tears them down. */
import {
  Orchestrator,
  type BlockManifest,
  type OrchestratorSettings,
} from '../../src/orchestration/index.ts';
import { productionContracts } from '../../src/orchestration/contracts/index.ts';
import { testContracts } from '../support/test-contracts.ts';
import { memoryLogger } from '../support/logs.ts';

export type Transport = 'memory' | 'redis';

/** Test files run in parallel on one Redis: each harness talks on channels of its own. */
export function testNamespace(): string {
  return `t${process.pid}${Math.random().toString(36).slice(2, 8)}`;
}

export interface Harness {
  node(
    blocks: BlockManifest<any>[],
    settings?: Partial<OrchestratorSettings>,
  ): Promise<Orchestrator & { lines: Array<Record<string, unknown>> }>;
  closeAll(): Promise<void>;
}

export const fastSettings: Partial<OrchestratorSettings> = {
  requestTimeoutMs: 1000,
  heartbeatIntervalMs: 100,
  livenessTimeoutMs: 400,
  healthIntervalMs: 100,
  breaker: { failureThreshold: 5, halfOpenAfterMs: 300 },
};

/** On Redis each node gets its own connections, exactly like separate processes. */
export function harness(
  transport: Transport,
  redisUrl = 'redis://127.0.0.1:6379',
  namespace = testNamespace(),
): Harness {
  const nodes: Orchestrator[] = [];
  return {
    async node(blocks, settings) {
      const { logger, lines } = memoryLogger();
      const orch = new Orchestrator({
        bus:
          transport === 'redis' ? { kind: 'redis', url: redisUrl, namespace } : { kind: 'memory' },
        logger,
        settings: { ...fastSettings, ...settings },
        contracts: [...productionContracts, ...testContracts],
        collectProcessMetrics: false,
      });
      for (const b of blocks) orch.register(b);
      await orch.start();
      nodes.push(orch);
      return Object.assign(orch, { lines });
    },
    async closeAll() {
      await Promise.all(nodes.splice(0).map((n) => n.stop()));
    },
  };
}
