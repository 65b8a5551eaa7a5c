/**
 * The part of durable delivery that both transports share: running one message's handler
 * until it succeeds, is given up, or its consumer goes away. The transports differ only in
 * where the log lives (a process-local queue, a Redis stream) and how acknowledgement is kept.
 */
import type { Envelope } from '../message.ts';
import type { BusCounters, DurableHandler, DurableSettings } from './types.ts';

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

export async function runDurable(run: DurableRun): Promise<DurableOutcome> {
  let deliveries = run.deliveries;
  for (;;) {
    const handler = run.handler();
    if (!handler) return { kind: 'abandoned' };
    try {
      await handler(run.message, { id: run.id, deliveries });
      run.counters.durable_handled++;
      return { kind: 'handled', deliveries };
    } catch (err) {
      run.onError(err, deliveries);
      if (deliveries >= run.settings.maxDeliveries) return { kind: 'dead', deliveries, error: describe(err) };
      run.counters.durable_retried++;
      const delays = run.settings.retryDelaysMs;
      await sleep(delays[Math.min(deliveries - 1, delays.length - 1)] ?? 0);
      deliveries++;
    }
  }
}

export function describe(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).slice(0, 500);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

export function emptyCounters(): BusCounters {
  return { published: 0, delivered: 0, dropped: 0, handler_errors: 0, durable_handled: 0, durable_retried: 0, durable_dead_lettered: 0, durable_skipped: 0, durable_duplicates: 0 };
}
