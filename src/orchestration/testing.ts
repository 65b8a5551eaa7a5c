/**
 * Mocks of other blocks, built from their contracts (spec §7.2): a block's tests register the
 * real block under test plus a mock for each block it talks to. A mock serves the contract with
 * the handlers given; any other action fails loudly with NOT_MOCKED, and every call is recorded
 * so tests can assert what was asked.
 */
import { defineBlock, type BlockManifest, type ContractHandlers } from './block.ts';
import type { ActionName, ContractId } from './contracts/define.ts';
import { BlockError } from './errors.ts';

export interface MockCall {
  action: string;
  input: unknown;
}

export interface MockBlock<C extends ContractId> {
  manifest: BlockManifest<C>;
  calls: MockCall[];
  /** Calls of one action, in order. */
  callsOf(action: ActionName<C>): unknown[];
}

export function mockBlock<C extends ContractId>(
  contract: C,
  handlers: Partial<ContractHandlers<C>>,
  actions?: readonly string[],
): MockBlock<C> {
  const blockId = contract.split(':')[0];
  const calls: MockCall[] = [];
  const all = new Proxy({} as ContractHandlers<C>, {
    get: (_t, action: string) => {
      const given = (
        handlers as Record<string, ((input: unknown, call: unknown) => unknown) | undefined>
      )[action];
      return (input: unknown, call: unknown) => {
        calls.push({ action, input });
        if (!given)
          throw new BlockError(
            'NOT_MOCKED',
            `the mock of ${contract} has no handler for "${action}"`,
          );
        return given(input, call);
      };
    },
    has: () => true,
    ownKeys: () => [...(actions ?? Object.keys(handlers))],
    getOwnPropertyDescriptor: () => ({ enumerable: true, configurable: true }),
  });
  const manifest: BlockManifest<C> = defineBlock<C>({
    id: blockId,
    name: `${blockId} (mock)`,
    version: '0.0.0-mock',
    contracts: [contract],
    setup: () => ({ handlers: { [contract]: all } as never }),
  });
  return {
    manifest,
    calls,
    callsOf: (action) => calls.filter((c) => c.action === action).map((c) => c.input),
  };
}
