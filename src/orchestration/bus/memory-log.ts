/**
 * Durable delivery inside one process, with the same rules as the Redis streams: a consumer
 * group sees each message once, in order; a group whose consumer is detached (its block was
 * stopped) keeps collecting messages and receives them when a consumer attaches again; a
 * failing handler gets the message again after a delay and, past maxDeliveries, the message
 * goes to the dead-letter list. Nothing survives the process itself: that is what Redis is for.
 */
import type { Envelope } from '../message.ts';
import { describe, Fifo, runDurable } from './durable.ts';
import type {
  BusCounters,
  BusObserver,
  DeadLetter,
  DurableHandler,
  DurableSettings,
  Unsubscribe,
} from './types.ts';

interface Waiting {
  id: string;
  message: Envelope;
  deliveries: number;
}

class Group {
  readonly backlog = new Fifo<Waiting>();
  handler: DurableHandler | undefined;
  draining = false;
}

const DEAD_LETTERS_KEPT = 1000;
const YIELD_EVERY = 2000;

export class MemoryLog {
  /** channel → group name → state. Groups outlive their consumers, like Redis consumer groups. */
  private readonly groups = new Map<string, Map<string, Group>>();
  private readonly dead = new Map<string, DeadLetter[]>();
  private seq = 0;

  constructor(
    private readonly settings: DurableSettings,
    private readonly counters: BusCounters,
    private readonly observer: BusObserver,
  ) {}

  append(channel: string, message: Envelope): void {
    const groups = this.groups.get(channel);
    if (!groups) return;
    const id = `${Date.now()}-${++this.seq}`;
    for (const [name, group] of groups) {
      group.backlog.push({ id, message, deliveries: 1 });
      if (group.backlog.length > this.settings.maxBacklog) {
        const lost = group.backlog.shift()!;
        this.bury(
          channel,
          name,
          lost,
          'backlog full: the group fell more than maxBacklog messages behind',
        );
      }
      this.kick(channel, name, group);
    }
  }

  attach(channel: string, groupName: string, handler: DurableHandler): Unsubscribe {
    let groups = this.groups.get(channel);
    if (!groups) this.groups.set(channel, (groups = new Map<string, Group>()));
    let group = groups.get(groupName);
    if (!group) groups.set(groupName, (group = new Group()));
    if (group.handler)
      throw new Error(
        `consumer group "${groupName}" on ${channel} already has a consumer in this process`,
      );
    group.handler = handler;
    this.kick(channel, groupName, group);
    const attached = group;
    return async () => {
      if (attached.handler === handler) attached.handler = undefined;
    };
  }

  replay(channel: string, groupName: string, id: string): boolean {
    const list = this.dead.get(channel);
    const at = list?.findIndex((l) => l.group === groupName && l.id === id) ?? -1;
    const group = this.groups.get(channel)?.get(groupName);
    if (!list || at < 0 || !group) return false;
    const [letter] = list.splice(at, 1);
    group.backlog.push({
      id: `${Date.now()}-${++this.seq}`,
      message: JSON.parse(letter.raw) as Envelope,
      deliveries: 1,
    });
    this.kick(channel, groupName, group);
    return true;
  }

  deadLetters(channel: string, limit: number): DeadLetter[] {
    return (this.dead.get(channel) ?? []).slice(-limit).reverse();
  }

  private kick(channel: string, name: string, group: Group): void {
    if (group.draining || !group.handler || group.backlog.length === 0) return;
    group.draining = true;
    // A microtask later: a publisher never runs its consumers inside its own call stack.
    queueMicrotask(() => void this.drain(channel, name, group));
  }

  private async drain(channel: string, name: string, group: Group): Promise<void> {
    let inARow = 0;
    try {
      while (group.handler && group.backlog.length > 0) {
        // A long backlog of synchronous handlers would otherwise hold the event loop.
        if (++inARow % YIELD_EVERY === 0) await new Promise((r) => setImmediate(r));
        const head = group.backlog.peek()!;
        this.counters.delivered++;
        let outcome = runDurable({
          handler: () => group.handler,
          message: head.message,
          id: head.id,
          deliveries: head.deliveries,
          settings: this.settings,
          counters: this.counters,
          onError: (err) => {
            this.counters.handler_errors++;
            this.observer.onHandlerError(channel, head.message, err);
          },
        });
        if (outcome instanceof Promise) outcome = await outcome;
        if (outcome.kind === 'abandoned') {
          head.deliveries++; // it was handed out; the next consumer sees that
          break;
        }
        group.backlog.shift();
        if (outcome.kind === 'dead')
          this.bury(channel, name, { ...head, deliveries: outcome.deliveries }, outcome.error);
      }
    } finally {
      group.draining = false;
    }
    // A consumer may have attached again while the last handler was finishing.
    this.kick(channel, name, group);
  }

  private bury(channel: string, group: string, item: Waiting, error: string): void {
    const letter: DeadLetter = {
      channel,
      group,
      id: item.id,
      deliveries: item.deliveries,
      error: describe(error),
      raw: JSON.stringify(item.message),
      at: new Date().toISOString(),
    };
    let list = this.dead.get(channel);
    if (!list) this.dead.set(channel, (list = []));
    list.push(letter);
    if (list.length > DEAD_LETTERS_KEPT) list.shift();
    this.counters.durable_dead_lettered++;
    this.observer.onDeadLetter?.(letter);
  }
}
