/**
 * One transport interface, several implementations chosen by configuration. Everything above
 * this line (orchestrator, registry, health) is written once against it.
 */
import type { Envelope } from '../message.ts';

export type TransportState =
  'connecting' | 'connected' | 'reconnecting' | 'disconnected' | 'closed';

export type BusHandler = (message: Envelope) => void | Promise<void>;

/** Where a durable message stands: its id in the channel's log and how often it was handed out. */
export interface DurableMeta {
  id: string;
  /** 1 on first delivery; more after a failure, a crash or a restart of the consumer. */
  deliveries: number;
}

/**
 * Handles one durable message. Resolving acknowledges it; throwing or rejecting has it delivered
 * again (after a delay) until `maxDeliveries`, then it goes to the dead-letter list.
 */
export type DurableHandler = (message: Envelope, meta: DurableMeta) => void | Promise<void>;

export interface DeadLetter {
  channel: string;
  group: string;
  id: string;
  deliveries: number;
  error: string;
  /** The frame as stored (an envelope's JSON, signed on Redis when a secret is set). */
  raw: string;
  at: string;
}
export type Unsubscribe = () => Promise<void>;

export interface BusCounters {
  published: number;
  delivered: number;
  /** Messages that arrived but were not acted on (malformed, unparseable). */
  dropped: number;
  /** Handler invocations that threw or rejected; other handlers still ran. */
  handler_errors: number;
  /** Durable messages whose handler succeeded and which were acknowledged. */
  durable_handled: number;
  /** Durable deliveries that failed and were scheduled again. */
  durable_retried: number;
  /** Durable messages given up after maxDeliveries and moved to the dead-letter list. */
  durable_dead_lettered: number;
  /** Redelivered messages skipped because their handling had already completed. */
  durable_skipped: number;
  /** Messages whose handler completed more than once for one consumer group (should stay 0). */
  durable_duplicates: number;
}

/** Where a bus reports what it could not deliver; the orchestrator logs and counts. */
export interface BusObserver {
  onDrop(channel: string, reason: string, raw?: string): void;
  onHandlerError(channel: string, message: Envelope, error: unknown): void;
  onStateChange?(state: TransportState, detail?: string): void;
  onDeadLetter?(letter: DeadLetter): void;
}

export interface MessageBus {
  readonly kind: 'memory' | 'redis';
  connect(): Promise<void>;
  /** Channel names are given bare; the transport adds its own prefix (`block:` on Redis). */
  publish(channel: string, message: Envelope): Promise<void>;
  subscribe(channel: string, handler: BusHandler): Promise<Unsubscribe>;
  /**
   * Publishes to live subscribers (as publish does) AND appends the message to the channel's
   * durable log, from which every consumer group receives it exactly once, even if the group's
   * consumer is down at the time: it gets the message when it comes back.
   */
  publishDurable(channel: string, message: Envelope): Promise<void>;
  /**
   * Joins consumer group `group` on the channel's durable log as `consumer`. One group sees each
   * message once; a message is acknowledged when the handler succeeds, delivered again after a
   * failure or a crash, and dead-lettered after maxDeliveries. A consumer that comes back under
   * the same name first receives what it had taken but not acknowledged.
   */
  consume(
    channel: string,
    group: string,
    consumer: string,
    handler: DurableHandler,
  ): Promise<Unsubscribe>;
  /** The most recent dead letters of a channel, newest first. */
  deadLetters(channel: string, limit?: number): Promise<DeadLetter[]>;
  /**
   * Gives one dead letter back to its consumer group only (the other groups have handled it),
   * as a new message with fresh deliveries; it leaves the dead-letter list. False if not found.
   */
  replayDeadLetter(channel: string, group: string, id: string): Promise<boolean>;
  state(): TransportState;
  counters(): BusCounters;
  close(): Promise<void>;
}

export interface DurableSettings {
  /** Deliveries of one message before it is dead-lettered. */
  maxDeliveries: number;
  /** Delay before the 2nd, 3rd… delivery of a failed message; the last value repeats. */
  retryDelaysMs: readonly number[];
  /**
   * Messages kept per channel log (Redis) or per waiting group (memory); older ones are trimmed.
   */
  maxBacklog: number;
  /**
   * A message taken by another consumer of the group and unacknowledged this long is taken over.
   */
  claimIdleMs: number;
  /** How long the record that a message was handled is kept (to skip redeliveries). */
  doneTtlS: number;
}

export const defaultDurableSettings: DurableSettings = Object.freeze({
  maxDeliveries: 5,
  retryDelaysMs: Object.freeze([100, 1000, 5000]),
  maxBacklog: 100_000,
  claimIdleMs: 60_000,
  doneTtlS: 24 * 3600,
});

export const silentObserver: BusObserver = { onDrop() {}, onHandlerError() {} };
