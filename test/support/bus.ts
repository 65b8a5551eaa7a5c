/** Small fixtures for message-bus tests: envelopes, unique channels, an observer that records. */
import { randomUUID } from 'node:crypto';
import type { Envelope } from '../../src/orchestration/message.ts';
import type { BusObserver, TransportState } from '../../src/orchestration/bus/types.ts';

/** A channel name no other test (or concurrent run against the same Redis) uses. */
export function uniqueChannel(label = 'test'): string {
  return `test:${label}:${randomUUID()}`;
}

/** A fully populated, valid envelope; every field distinct so a swapped field is noticed. */
export function makeEnvelope<P = unknown>(
  payload: P,
  overrides: Partial<Envelope<P>> = {},
): Envelope<P> {
  return {
    source_block: 'block-a',
    target_block: 'block-b',
    event_type: 'test.event',
    payload,
    correlation_id: randomUUID(),
    timestamp: new Date().toISOString(),
    ...overrides,
  };
}

export interface RecordedDrop {
  channel: string;
  reason: string;
  raw?: string;
}

export interface RecordedHandlerError {
  channel: string;
  message: Envelope;
  error: unknown;
}

export interface RecordingObserver extends BusObserver {
  drops: RecordedDrop[];
  handlerErrors: RecordedHandlerError[];
  states: TransportState[];
}

export function recordingObserver(): RecordingObserver {
  const drops: RecordedDrop[] = [];
  const handlerErrors: RecordedHandlerError[] = [];
  const states: TransportState[] = [];
  return {
    drops,
    handlerErrors,
    states,
    onDrop(channel, reason, raw) {
      drops.push(raw === undefined ? { channel, reason } : { channel, reason, raw });
    },
    onHandlerError(channel, message, error) {
      handlerErrors.push({ channel, message, error });
    },
    onStateChange(state) {
      states.push(state);
    },
  };
}
