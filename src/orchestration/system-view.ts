/** What a node shows of the whole system to the admin block: blocks, transport, dead letters. */
import type { SystemView } from './block.ts';
import type { MessageBus } from './bus/types.ts';
import type { ContractCatalog } from './catalog.ts';
import type { BlockRegistry } from './registry.ts';
import type { BreakerBoard } from './resilience.ts';

export function systemView(
  nodeId: string,
  registry: BlockRegistry,
  breakers: BreakerBoard,
  bus: MessageBus,
  catalog: ContractCatalog,
): SystemView {
  return {
    nodeId,
    blocks: () => registry.list().map((b) => ({ ...b, breaker: breakers.state(b.id) })),
    transport: () => ({ kind: bus.kind, state: bus.state() }),
    deadLetters: async (limit) => {
      const lists = await Promise.all(catalog.domainEvents().map((e) => bus.deadLetters(e, limit)));
      return lists
        .flat()
        .sort((a, b) => b.at.localeCompare(a.at))
        .slice(0, limit);
    },
    // Only domain events have dead letters; the orchestrator's own events are never durable.
    replayDeadLetter: (channel, group, id) =>
      catalog.isDomainEvent(channel)
        ? bus.replayDeadLetter(channel, group, id)
        : Promise.resolve(false),
  };
}
