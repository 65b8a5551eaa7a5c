/**
 * In-process transport, the embedded default. Delivery is asynchronous (a microtask later) so
 * that code behaves the same as over the network: a publisher never runs its subscribers
 * inside its own call stack.
 */
import { envelopeProblem, type Envelope } from '../message.ts';
import { BlockError, OrchestrationCodes } from '../errors.ts';
import { ChannelDispatcher } from './dispatch.ts';
import { MemoryLog } from './memory-log.ts';
import {
  defaultDurableSettings,
  silentObserver,
  type BusHandler,
  type BusObserver,
  type DeadLetter,
  type DurableHandler,
  type DurableSettings,
  type MessageBus,
  type TransportState,
  type Unsubscribe,
} from './types.ts';

export class MemoryBus implements MessageBus {
  readonly kind = 'memory' as const;
  private readonly dispatcher: ChannelDispatcher;
  private readonly log: MemoryLog;
  private current: TransportState = 'connecting';

  constructor(observer: BusObserver = silentObserver, durable: Partial<DurableSettings> = {}) {
    this.dispatcher = new ChannelDispatcher(observer);
    this.log = new MemoryLog(
      { ...defaultDurableSettings, ...durable },
      this.dispatcher.counters,
      observer,
    );
  }

  async connect(): Promise<void> {
    this.current = 'connected';
  }

  async publish(channel: string, message: Envelope): Promise<void> {
    if (this.accept(channel, message) && this.dispatcher.has(channel))
      queueMicrotask(() => this.dispatcher.deliver(channel, message));
  }

  async publishDurable(channel: string, message: Envelope): Promise<void> {
    if (!this.accept(channel, message)) return;
    if (this.dispatcher.has(channel))
      queueMicrotask(() => this.dispatcher.deliver(channel, message));
    this.log.append(channel, message);
  }

  async consume(
    channel: string,
    group: string,
    _consumer: string,
    handler: DurableHandler,
  ): Promise<Unsubscribe> {
    return this.log.attach(channel, group, handler);
  }

  async deadLetters(channel: string, limit = 100): Promise<DeadLetter[]> {
    return this.log.deadLetters(channel, limit);
  }

  async replayDeadLetter(channel: string, group: string, id: string): Promise<boolean> {
    return this.log.replay(channel, group, id);
  }

  /** Counts the message and checks it; false when it must not be delivered. */
  private accept(channel: string, message: Envelope): boolean {
    if (this.current === 'closed')
      throw new BlockError(OrchestrationCodes.TRANSPORT_DOWN, 'message bus is closed', {
        retryable: false,
      });
    this.dispatcher.counters.published++;
    // Objects handed in by TypeScript callers are already typed, but a block may build one
    // from untrusted data; the same check as on the wire keeps both transports equal.
    const problem = envelopeProblem(message);
    if (problem) {
      this.dispatcher.drop(channel, problem);
      return false;
    }
    return true;
  }

  async subscribe(channel: string, handler: BusHandler): Promise<Unsubscribe> {
    this.dispatcher.add(channel, handler);
    return async () => {
      this.dispatcher.remove(channel, handler);
    };
  }

  state(): TransportState {
    return this.current;
  }

  counters() {
    return { ...this.dispatcher.counters };
  }

  async close(): Promise<void> {
    this.current = 'closed';
  }
}
