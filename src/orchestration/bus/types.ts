/**
 * One transport interface, several implementations chosen by configuration. Everything above
 * this line (orchestrator, registry, health) is written once against it.
 */
import type { Envelope } from '../message.ts';

export type TransportState = 'connecting' | 'connected' | 'reconnecting' | 'disconnected' | 'closed';

export type BusHandler = (message: Envelope) => void | Promise<void>;
export type Unsubscribe = () => Promise<void>;

export interface BusCounters {
  published: number;
  delivered: number;
  /** Messages that arrived but were not acted on (malformed, unparseable). */
  dropped: number;
  /** Handler invocations that threw or rejected; other handlers still ran. */
  handler_errors: number;
}

/** Where a bus reports what it could not deliver; the orchestrator logs and counts. */
export interface BusObserver {
  onDrop(channel: string, reason: string, raw?: string): void;
  onHandlerError(channel: string, message: Envelope, error: unknown): void;
  onStateChange?(state: TransportState, detail?: string): void;
}

export interface MessageBus {
  readonly kind: 'memory' | 'redis';
  connect(): Promise<void>;
  /** Channel names are given bare; the transport adds its own prefix (`block:` on Redis). */
  publish(channel: string, message: Envelope): Promise<void>;
  subscribe(channel: string, handler: BusHandler): Promise<Unsubscribe>;
  state(): TransportState;
  counters(): BusCounters;
  close(): Promise<void>;
}

export const silentObserver: BusObserver = { onDrop() {}, onHandlerError() {} };
