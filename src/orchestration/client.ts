/**
 * The handle a block uses to talk to the rest of the system. It carries who is speaking
 * (the block id) and, while handling a request or event, the correlation id, so every request
 * and event caused by that handling carries the same id without the block passing it along.
 */
import type { Logger } from 'pino';
import type {
  ActionInput,
  ActionName,
  ActionOutput,
  ContractId,
  EventName,
  EventPayload,
} from './contracts/define.ts';
import type { BlockError } from './errors.ts';

export interface RequestOptions<Out = unknown, In = unknown> {
  /** Overrides the default request timeout for this call. */
  timeoutMs?: number;
  correlationId?: string;
  /** Used instead of the target's answer when the target cannot answer (infrastructure failure). */
  fallback?: (input: In, failure: BlockError) => Out | Promise<Out>;
}

/** Request options of any action, as the orchestrator sees them (the input is checked there). */
export type AnyRequestOptions = RequestOptions<unknown, never>;

export interface PublishOptions {
  /** Deliver only to this block's subscribers; default is every subscriber (broadcast). */
  target?: string;
  correlationId?: string;
}

/** What the orchestrator offers a client; kept narrow so block code cannot reach further. */
export interface ClientCore {
  request(
    from: string,
    contract: string,
    action: string,
    input: unknown,
    opts: AnyRequestOptions | undefined,
    correlationId: string | undefined,
  ): Promise<unknown>;
  publish(
    from: string,
    event: string,
    payload: unknown,
    opts: PublishOptions | undefined,
    correlationId: string | undefined,
  ): Promise<void>;
  childLogger(blockId: string, correlationId: string | undefined): Logger;
}

export class BlockClient {
  private logger: Logger | undefined;

  constructor(
    protected readonly core: ClientCore,
    /** The block on whose behalf this client speaks. */
    readonly blockId: string,
    readonly correlationId?: string,
  ) {}

  request<C extends ContractId, A extends ActionName<C>>(
    contract: C,
    action: A,
    input: ActionInput<C, A>,
    opts?: RequestOptions<ActionOutput<C, A>, ActionInput<C, A>>,
  ): Promise<ActionOutput<C, A>> {
    return this.core.request(
      this.blockId,
      contract,
      action,
      input,
      opts,
      this.correlationId,
    ) as Promise<ActionOutput<C, A>>;
  }

  publish<E extends EventName>(
    event: E,
    payload: EventPayload<E>,
    opts?: PublishOptions,
  ): Promise<void> {
    return this.core.publish(this.blockId, event, payload, opts, this.correlationId);
  }

  /**
   * Publishes after the block's own data is already saved: a bus failure is logged as a warning
   * and never turned into a failed request. The returned promise never rejects, so callers may
   * await it or let it run.
   */
  async publishOrLog<E extends EventName>(
    event: E,
    payload: EventPayload<E>,
    opts?: PublishOptions,
  ): Promise<void> {
    try {
      await this.publish(event, payload, opts);
    } catch (err) {
      this.log.warn({ err, event }, 'could not publish event');
    }
  }

  /** The same client, speaking within another request's correlation id. */
  withCorrelation(correlationId: string): BlockClient {
    return new BlockClient(this.core, this.blockId, correlationId);
  }

  /** Logger whose every line carries this block and the correlation id (made on first use). */
  get log(): Logger {
    return (this.logger ??= this.core.childLogger(this.blockId, this.correlationId));
  }
}

/** The client handed to a handler: also knows who called and under which correlation id. */
export class HandlerContext extends BlockClient {
  constructor(
    core: ClientCore,
    blockId: string,
    override readonly correlationId: string,
    readonly source: string,
    /**
     * For a durable event: `<event>/<id in its log>`, the same on every redelivery, for idempotent
     * handlers.
     */
    readonly messageId?: string,
  ) {
    super(core, blockId, correlationId);
  }
}
