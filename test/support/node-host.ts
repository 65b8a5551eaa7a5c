/**
 * A separate WSOPTV-like process for tests: hosts the test blocks named in TEST_BLOCKS on the
 * Redis bus with the orchestrator's DEFAULT settings, prints `READY <node id>` and serves until
 * killed. SIGTERM stops it the way the real server does (finish in-flight work, leave cleanly).
 */
import { Orchestrator } from '../../src/orchestration/index.ts';
import { productionContracts } from '../../src/orchestration/contracts/index.ts';
import { createLogger } from '../../src/platform/logger.ts';
import { echoBlock, storeBlock, testContracts } from './test-contracts.ts';

const wanted = (process.env.TEST_BLOCKS ?? 'echo').split(',');
const available = {
  echo: () => echoBlock({ versions: ['echo:v1', 'echo:v2'] }),
  store: storeBlock,
} as const;

const orch = new Orchestrator({
  bus: {
    kind: 'redis',
    url: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
    namespace: process.env.WSOPTV_BUS_NAMESPACE || undefined,
  },
  logger: createLogger('warn'),
  contracts: [...productionContracts, ...testContracts],
  collectProcessMetrics: false,
});
for (const id of wanted) orch.register(available[id as keyof typeof available]());
await orch.start();
process.stdout.write(`READY ${orch.nodeId}\n`);
process.once('SIGTERM', () => {
  void orch.stop().then(() => {
    process.stdout.write('STOPPED\n');
    process.exit(0);
  });
});
