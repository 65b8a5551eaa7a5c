/**
 * Child process of `npm run bench:bus`: hosts the echo block on the Redis bus until the parent
 * says stop, disconnects (IPC closes) or signals. Never outlives its parent.
 */
import { pino } from 'pino';
import { Orchestrator, orchestratorV1 } from '../../src/orchestration/index.ts';
import { echoBlock, echoV1 } from './echo-contract.ts';

const url = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
const logger = pino({ level: process.env.BENCH_LOG_LEVEL ?? 'error' }, pino.destination(2));
const orch = new Orchestrator({
  bus: { kind: 'redis', url },
  logger,
  contracts: [orchestratorV1, echoV1],
  collectProcessMetrics: false,
  nodeId: process.env.BENCH_NODE_ID || undefined,
});
orch.register(echoBlock({ sync: process.env.BENCH_SYNC === '1' }));

let stopping = false;
async function shutdown(code: number): Promise<void> {
  if (stopping) return;
  stopping = true;
  const force = setTimeout(() => process.exit(code), 2000);
  force.unref();
  try {
    await orch.stop();
  } finally {
    process.exit(code);
  }
}

process.on('disconnect', () => void shutdown(0));
process.on('SIGTERM', () => void shutdown(0));
process.on('SIGINT', () => void shutdown(0));
process.on('message', (m: unknown) => {
  if (m && typeof m === 'object' && (m as { type?: unknown }).type === 'stop') void shutdown(0);
});

try {
  await orch.start();
  process.send?.({ type: 'ready', nodeId: orch.nodeId });
} catch (err) {
  process.stderr.write(
    `bus-server: cannot start: ${err instanceof Error ? err.message : String(err)}\n`,
  );
  process.send?.({ type: 'failed', error: String(err) });
  await shutdown(1);
}
