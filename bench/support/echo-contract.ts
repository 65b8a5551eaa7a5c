/**
 * The benchmark's own contract and block: `bench-echo:v1` answers its input, and counts the
 * `bench_tick` events it receives per sender (so concurrent benches on a shared Redis never
 * mix their counts). Used in-process by bench/bus.ts and over Redis by bus-server.ts.
 */
import { z } from 'zod';
import { defineBlock, defineContract } from '../../src/orchestration/index.ts';

export const echoV1 = defineContract('bench-echo', 'v1', {
  actions: {
    echo: { input: z.object({ n: z.number() }), output: z.object({ n: z.number() }) },
    /** How many bench_tick events this block received from `source`. */
    count: { input: z.object({ source: z.string() }), output: z.object({ n: z.number() }) },
  },
  events: { bench_tick: z.object({ n: z.number() }) },
});

// Named bench-echo, not echo: test/support/test-contracts.ts already declares a different
// 'echo:v1' in the same (project-wide) ContractRegistry, and tests running against the shared
// Redis may host an 'echo' block that the bench must not pick as its server.
declare module '../../src/orchestration/contracts/define.ts' {
  interface ContractRegistry {
    'bench-echo:v1': typeof echoV1;
  }
}

export interface EchoBlockOptions {
  /** Plain (sync) echo handler instead of the realistic `async (input) => input`. */
  sync?: boolean;
}

export function echoBlock(opts: EchoBlockOptions = {}) {
  const ticks = new Map<string, number>();
  return defineBlock({
    id: 'bench-echo',
    name: 'Echo (bench)',
    version: '1.0.0',
    contracts: ['bench-echo:v1'],
    setup: () => ({
      handlers: {
        'bench-echo:v1': {
          echo: opts.sync ? (input) => input : async (input) => input,
          count: ({ source }) => ({ n: ticks.get(source) ?? 0 }),
        },
      },
      events: {
        bench_tick: (_payload, _call, message) => {
          ticks.set(message.source_block, (ticks.get(message.source_block) ?? 0) + 1);
        },
      },
    }),
  });
}
