/**
 * Events: publishing (checked against the event's schema; domain events durably, the
 * orchestrator's own health news live) and delivering them to the blocks that subscribe.
 */
import type { Unsubscribe } from './bus/types.ts';
import { channelOf } from './catalog.ts';
import { HandlerContext, type PublishOptions } from './client.ts';
import type { EventName, EventPayload } from './contracts/define.ts';
import { SYSTEM_EVENTS } from './contracts/orchestrator.ts';
import { BlockError, OrchestrationCodes as Codes } from './errors.ts';
import { createEnvelope, newCorrelationId, type Envelope } from './message.ts';
import type { NodeParts } from './node-parts.ts';
import { formatIssues } from './validation.ts';

/** A handler of one event, as a block declares it. */
export type EventHandler<E extends EventName> = (
  payload: EventPayload<E>,
  call: HandlerContext,
  message: Envelope,
) => void | Promise<void>;

/** An event handler of any event, as the orchestrator stores it; payloads are checked first. */
type AnyEventHandler = (
  payload: never,
  call: HandlerContext,
  message: Envelope,
) => void | Promise<void>;

export class EventDelivery {
  constructor(
    private readonly node: NodeParts,
    /** Names this process's consumer groups (`<block>.<instance>`). */
    private readonly instance: string,
  ) {}

  async publish(
    from: string,
    event: string,
    payload: unknown,
    opts: PublishOptions | undefined,
    inherited: string | undefined,
  ): Promise<void> {
    const correlationId = opts?.correlationId ?? inherited ?? newCorrelationId();
    const schema = this.node.catalog.eventSchema(event);
    if (!schema)
      throw new BlockError(Codes.UNKNOWN_ACTION, `no contract declares event "${event}"`, {
        correlationId,
      });
    const parsed = schema.safeParse(payload);
    if (!parsed.success)
      throw new BlockError(
        Codes.INVALID_PAYLOAD,
        `invalid payload for event ${event}: ${formatIssues(parsed.error)}`,
        { correlationId },
      );
    const envelope = createEnvelope({
      source_block: from,
      target_block: opts?.target ?? null,
      event_type: event,
      payload: parsed.data,
      correlation_id: correlationId,
    });
    // Domain events are durable (a block that is down receives them when it is back); the
    // orchestrator's own health events are only news while they are fresh.
    const channel = channelOf(event);
    if (channel === 'system') await this.node.bus.publish(channel, envelope);
    else await this.node.bus.publishDurable(channel, envelope);
  }

  /**
   * Subscribes block `asBlock` to a domain event durably: its consumer group gets every such
   * event once, including those published while it was down; a handler that throws
   * is retried and, after repeated failure, the event is dead-lettered. Payloads failing the
   * schema and events targeted at another block are acknowledged and skipped.
   */
  async consume<E extends EventName>(
    event: E,
    handler: EventHandler<E>,
    asBlock: string,
  ): Promise<Unsubscribe> {
    if (SYSTEM_EVENTS.has(event)) return this.subscribe(event, handler, asBlock);
    const deliver = this.delivery(event, handler, asBlock);
    // One group per block instance: every process hosting the block gets every event (its
    // caches and indexes are its own); handlers with shared side effects are idempotent by id.
    return this.node.bus.consume(event, `${asBlock}.${this.instance}`, this.instance, (m, meta) =>
      deliver(m, `${event}/${meta.id}`),
    );
  }

  /**
   * Subscribes `asBlock` to an event. Messages targeted at another block are skipped; payloads
   * that fail the event's schema are rejected (logged, counted) and never reach the handler.
   */
  async subscribe<E extends EventName>(
    event: E,
    handler: EventHandler<E>,
    asBlock: string,
  ): Promise<Unsubscribe> {
    const deliver = this.delivery(event, handler, asBlock);
    return this.node.bus.subscribe(channelOf(event), (m) => deliver(m));
  }

  /**
   * What live and durable subscriptions share: skip messages targeted at another block, check
   * the payload against the event's schema (rejected, logged and counted when it fails), then
   * hand it to the handler with the message's correlation id (and durable message id).
   */
  private delivery(
    event: EventName,
    handler: AnyEventHandler,
    asBlock: string,
  ): (m: Envelope, messageId?: string) => void | Promise<void> {
    const schema = this.node.catalog.eventSchema(event);
    if (!schema) throw new Error(`no contract declares event "${event}"`);
    const channel = channelOf(event);
    return (m, messageId) => {
      // The system channel carries several event types; any other channel carries one.
      if (m.event_type !== event)
        return channel === 'system'
          ? undefined
          : this.node.reject(
              channel,
              `event_type "${m.event_type}" on the channel of ${event}`,
              m.correlation_id,
            );
      if (m.target_block !== null && m.target_block !== asBlock) return;
      const parsed = schema.safeParse(m.payload);
      if (!parsed.success)
        return this.node.reject(
          channel,
          `invalid payload for event ${event}: ${formatIssues(parsed.error)}`,
          m.correlation_id,
        );
      return handler(
        parsed.data as never,
        new HandlerContext(this.node.core, asBlock, m.correlation_id, m.source_block, messageId),
        m,
      );
    };
  }
}
