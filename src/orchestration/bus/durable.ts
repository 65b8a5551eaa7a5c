/**
 * The part of durable delivery that both transports share: running one message's handler
 * until it succeeds, is given up, or its consumer goes away. The transports differ only in
 * where the log lives (a process-local queue, a Redis stream) and how acknowledgement is kept.
 */
import type { Envelope } from '../message.ts';
import type { BusCounters, DurableHandler, DurableSettings } from './types.ts';
import { errorMessage } from '../../platform/errors.ts';

export type DurableOutcome =
  | { kind: 'handled'; deliveries: number }
  | { kind: 'dead'; deliveries: number; error: string }
  /** The consumer left while the message was still failing: it stays unacknowledged. */
  | { kind: 'abandoned' };

export interface DurableRun {
  handler: () => DurableHandler | undefined;
  message: Envelope;
  id: string;
  deliveries: number;
  settings: DurableSettings;
  counters: BusCounters;
  onError(err: unknown, deliveries: number): void;
}

/**
 * Runs the handler for one message, again after a delay while it fails, until it succeeds, has
 * used its deliveries, or its consumer left. A handler that returns synchronously is answered
 * synchronously: a backlog of sync handlers is worked off without a promise per message.
 */
export function runDurable(run: DurableRun): DurableOutcome | Promise<DurableOutcome> {
  const handler = run.handler();
  if (!handler) return { kind: 'abandoned' };
  try {
    const result = handler(run.message, { id: run.id, deliveries: run.deliveries });
    if (result !== undefined && typeof result.then === 'function') {
      return result.then(
        () => handled(run),
        (err) => retry(run, err),
      );
    }
    return handled(run);
  } catch (err) {
    return retry(run, err);
  }
}

function handled(run: DurableRun): DurableOutcome {
  run.counters.durable_handled++;
  return { kind: 'handled', deliveries: run.deliveries };
}

async function retry(run: DurableRun, err: unknown): Promise<DurableOutcome> {
  run.onError(err, run.deliveries);
  if (run.deliveries >= run.settings.maxDeliveries)
    return { kind: 'dead', deliveries: run.deliveries, error: describe(err) };
  run.counters.durable_retried++;
  const delays = run.settings.retryDelaysMs;
  await sleep(delays[Math.min(run.deliveries - 1, delays.length - 1)] ?? 0);
  return runDurable({ ...run, deliveries: run.deliveries + 1 });
}

export function describe(err: unknown): string {
  return errorMessage(err).slice(0, 500);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

export function emptyCounters(): BusCounters {
  return {
    published: 0,
    delivered: 0,
    dropped: 0,
    handler_errors: 0,
    durable_handled: 0,
    durable_retried: 0,
    durable_dead_lettered: 0,
    durable_skipped: 0,
    durable_duplicates: 0,
  };
}

/**
 * A first-in-first-out queue with O(1) removal at the head (Array#shift moves every element,
 * which at a backlog of 100,000 messages costs more than delivering one).
 */
export class Fifo<T> {
  private items: T[] = [];
  private head = 0;

  get length(): number {
    return this.items.length - this.head;
  }

  push(item: T): void {
    this.items.push(item);
  }

  peek(): T | undefined {
    return this.items[this.head];
  }

  shift(): T | undefined {
    if (this.head >= this.items.length) return undefined;
    const item = this.items[this.head];
    this.items[this.head++] = undefined as T; // let it be collected
    // Compact once the consumed part dominates, keeping pushes and shifts amortised O(1).
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return item;
  }
}
