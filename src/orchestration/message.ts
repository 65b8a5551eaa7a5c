/**
 * The envelope every bus message travels in, exactly as the product spec defines it.
 * Protocol details (request ids, reply addresses) live inside `payload` so the envelope
 * itself never grows fields the spec does not know.
 */
import { randomBytes } from 'node:crypto';

export interface Envelope<P = unknown> {
  source_block: string;
  /** null means broadcast: every subscriber of the event type receives it. */
  target_block: string | null;
  event_type: string;
  payload: P;
  correlation_id: string;
  /** ISO-8601 time the message was created. */
  timestamp: string;
}

const MAX_NAME = 128;

/**
 * Cheap structural check, written by hand rather than with a schema library because it runs
 * on every message that arrives from the wire: a pass costs a handful of typeof checks and a
 * failure returns a reason instead of throwing (throwing would build a stack per bad message).
 */
export function envelopeProblem(value: unknown): string | null {
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    return 'envelope is not an object';
  const m = value as Record<string, unknown>;
  if (
    typeof m.source_block !== 'string' ||
    m.source_block.length === 0 ||
    m.source_block.length > MAX_NAME
  )
    return 'source_block must be a non-empty string';
  if (
    m.target_block !== null &&
    (typeof m.target_block !== 'string' ||
      m.target_block.length === 0 ||
      m.target_block.length > MAX_NAME)
  )
    return 'target_block must be a block id or null';
  if (
    typeof m.event_type !== 'string' ||
    m.event_type.length === 0 ||
    m.event_type.length > MAX_NAME
  )
    return 'event_type must be a non-empty string';
  if (!('payload' in m) || m.payload === undefined) return 'payload is missing';
  if (
    typeof m.correlation_id !== 'string' ||
    m.correlation_id.length === 0 ||
    m.correlation_id.length > MAX_NAME
  )
    return 'correlation_id must be a non-empty string';
  if (typeof m.timestamp !== 'string' || Number.isNaN(Date.parse(m.timestamp)))
    return 'timestamp must be an ISO date string';
  return null;
}

export function createEnvelope<P>(fields: {
  source_block: string;
  target_block?: string | null;
  event_type: string;
  payload: P;
  correlation_id?: string;
}): Envelope<P> {
  return {
    source_block: fields.source_block,
    target_block: fields.target_block ?? null,
    event_type: fields.event_type,
    payload: fields.payload,
    correlation_id: fields.correlation_id ?? newCorrelationId(),
    timestamp: new Date().toISOString(),
  };
}

// A random prefix per process plus a counter: unique across processes, and about ten times
// cheaper than a UUID per request (a correlation id is made for every call and event).
const CORRELATION_PREFIX = randomBytes(9).toString('base64url') + '-';
let correlationSeq = 0;

export function newCorrelationId(): string {
  return CORRELATION_PREFIX + (++correlationSeq).toString(36);
}
