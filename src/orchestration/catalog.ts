/**
 * The contracts this node knows: each contract by id, and each event's payload schema. Every
 * check of a request, a reply or an event starts here.
 */
import type { z } from 'zod';
import type { Contract } from './contracts/define.ts';
import { SYSTEM_EVENTS } from './contracts/orchestrator.ts';

/**
 * The bus channel of an event: the orchestrator's own events share one, each domain event has its
 * own.
 */
export function channelOf(event: string): string {
  return SYSTEM_EVENTS.has(event) ? 'system' : event;
}

export class ContractCatalog {
  private readonly contracts = new Map<string, Contract>();
  private readonly events = new Map<string, z.ZodType>();

  /** Adds a contract; an event name declared by another block's contract is refused. */
  add(contract: Contract): void {
    this.contracts.set(contract.id, contract);
    for (const [event, schema] of Object.entries(contract.events)) {
      const owner = [...this.contracts.values()].find(
        (c) => c.id !== contract.id && c.block !== contract.block && event in c.events,
      );
      if (owner)
        throw new Error(
          `event "${event}" of ${contract.id} is already declared by ${owner.id}; event names have one owner`,
        );
      this.events.set(event, schema);
    }
  }

  get(id: string): Contract | undefined {
    return this.contracts.get(id);
  }

  has(id: string): boolean {
    return this.contracts.has(id);
  }

  eventSchema(event: string): z.ZodType | undefined {
    return this.events.get(event);
  }

  /** Domain events: those carried durably, with consumer groups and dead letters. */
  domainEvents(): string[] {
    return [...this.events.keys()].filter((e) => !SYSTEM_EVENTS.has(e));
  }

  isDomainEvent(event: string): boolean {
    return this.events.has(event) && !SYSTEM_EVENTS.has(event);
  }
}
