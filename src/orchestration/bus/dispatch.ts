/**
 * Local fan-out shared by every transport: one channel, many handlers, each isolated so that
 * one throwing or rejecting handler is reported and the others still run.
 */
import type { Envelope } from '../message.ts';
import type { BusCounters, BusHandler, BusObserver } from './types.ts';
import { emptyCounters } from './durable.ts';

export class ChannelDispatcher {
  private readonly channels = new Map<string, Set<BusHandler>>();
  readonly counters: BusCounters = emptyCounters();

  constructor(private readonly observer: BusObserver) {}

  /** Returns true when this is the first handler on the channel (the transport must subscribe). */
  add(channel: string, handler: BusHandler): boolean {
    let set = this.channels.get(channel);
    const first = !set;
    if (!set) this.channels.set(channel, (set = new Set()));
    set.add(handler);
    return first;
  }

  /** Returns true when the channel has no handler left (the transport may unsubscribe). */
  remove(channel: string, handler: BusHandler): boolean {
    const set = this.channels.get(channel);
    if (!set) return false;
    set.delete(handler);
    if (set.size > 0) return false;
    this.channels.delete(channel);
    return true;
  }

  has(channel: string): boolean {
    return this.channels.has(channel);
  }

  drop(channel: string, reason: string, raw?: string): void {
    this.counters.dropped++;
    this.observer.onDrop(channel, reason, raw);
  }

  deliver(channel: string, message: Envelope): void {
    const set = this.channels.get(channel);
    if (!set) return;
    for (const handler of set) {
      this.counters.delivered++;
      try {
        const result = handler(message);
        if (result !== undefined && typeof result.then === 'function') {
          result.then(undefined, (err) => this.fail(channel, message, err));
        }
      } catch (err) {
        this.fail(channel, message, err);
      }
    }
  }

  fail(channel: string, message: Envelope, err: unknown): void {
    this.counters.handler_errors++;
    this.observer.onHandlerError(channel, message, err);
  }
}
