/**
 * Redis Pub/Sub transport (channels `block:<channel>`), used when REDIS_URL is set.
 *
 * Two connections: Redis forbids ordinary commands on a connection in subscriber mode.
 * Reconnection is left to ioredis, which re-subscribes the channels it knows exactly once;
 * this class never subscribes again on its own after a reconnect, so one message can never
 * reach a handler twice through a doubled subscription.
 *
 * Delivery is at-most-once: a process that is down or reconnecting misses what was published
 * meanwhile. Publishing while the connection is down fails at once (no offline queue) so a
 * caller learns about the outage instead of waiting on a silently growing buffer.
 */
import { Redis, type RedisOptions } from 'ioredis';
import type { Envelope } from '../message.ts';
import { BlockError, OrchestrationCodes } from '../errors.ts';
import { ChannelDispatcher } from './dispatch.ts';
import { decodeFrame, encodeFrame } from './frames.ts';
import { FrameSigner } from './signing.ts';
import { durableKeys, readDeadLetters, replayDeadLetter } from './redis-keys.ts';
import { StreamGroupReader } from './redis-streams.ts';
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
import { errorMessage } from '../../platform/errors.ts';

export interface RedisBusOptions {
  url: string;
  /** How long connect() waits for Redis before failing with an error naming REDIS_URL. */
  connectTimeoutMs?: number;
  /**
   * Separates deployments (or test runs) sharing one Redis: channels become
   * `<namespace>:block:<channel>`. Unset, channels are the spec's `block:<channel>`.
   */
  namespace?: string;
  /**
   * Shared secret: every frame is HMAC-signed and unsigned or wrongly signed frames are dropped.
   */
  secret?: string;
  durable?: Partial<DurableSettings>;
}

export class RedisBus implements MessageBus {
  readonly kind = 'redis' as const;
  private readonly pub: Redis;
  private readonly sub: Redis;
  private readonly dispatcher: ChannelDispatcher;
  private current: TransportState = 'connecting';
  private readonly connectTimeoutMs: number;
  private readonly prefix: string;
  private readonly signer: FrameSigner | undefined;
  /** SUBSCRIBE commands still in flight, by bare channel name. */
  private readonly subscribing = new Map<string, Promise<unknown>>();
  private readonly keys: ReturnType<typeof durableKeys>;
  private readonly durable: DurableSettings;
  private readonly connection: RedisOptions;
  /** One reader per consumer group hosted in this process. */
  private readonly readers = new Map<string, StreamGroupReader>();

  constructor(
    private readonly options: RedisBusOptions,
    private readonly observer: BusObserver = silentObserver,
  ) {
    this.connectTimeoutMs = options.connectTimeoutMs ?? 5000;
    this.prefix = options.namespace ? `${options.namespace}:block:` : 'block:';
    this.signer = options.secret ? new FrameSigner(options.secret) : undefined;
    this.keys = durableKeys(options.namespace);
    this.durable = { ...defaultDurableSettings, ...options.durable };
    const common: RedisOptions = {
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      // Reconnect forever with a short, capped backoff: a Redis restart should be absorbed
      // within a second or two of Redis coming back.
      retryStrategy: (times) => Math.min(50 * times, 500),
      connectionName: 'wsoptv-bus',
    };
    // A PUBLISH cut off by a dropped connection is not sent again after reconnecting: Redis may
    // already have delivered it, and a resend would reach every subscriber a second time.
    this.pub = new Redis(options.url, {
      ...common,
      enableAutoPipelining: true,
      autoResendUnfulfilledCommands: false,
    });
    this.sub = new Redis(options.url, { ...common, autoResubscribe: true });
    this.connection = common;
    this.dispatcher = new ChannelDispatcher(observer);
    this.sub.on('message', (channel: string, raw: string) => this.onRaw(channel, raw));
    for (const client of [this.pub, this.sub]) {
      client.on('ready', () => this.refreshState());
      client.on('close', () => this.refreshState());
      client.on('reconnecting', () => this.refreshState());
      client.on('end', () => this.refreshState());
      // Without a listener ioredis prints every connection error; state changes carry the news.
      client.on('error', () => {});
    }
  }

  async connect(): Promise<void> {
    const attempt = Promise.all([this.pub.connect(), this.sub.connect()]);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`no answer within ${this.connectTimeoutMs} ms`)),
        this.connectTimeoutMs,
      );
    });
    try {
      await Promise.race([attempt, timeout]);
    } catch (err) {
      this.pub.disconnect();
      this.sub.disconnect();
      this.current = 'disconnected';
      const reason = errorMessage(err);
      throw new BlockError(
        OrchestrationCodes.TRANSPORT_DOWN,
        `cannot reach Redis at REDIS_URL=${redactUrl(this.options.url)}: ${reason}. ` +
          'Start Redis, fix REDIS_URL, or unset it to run on the in-memory bus.',
        { retryable: true },
      );
    } finally {
      clearTimeout(timer);
    }
    this.refreshState();
  }

  async publish(channel: string, message: Envelope): Promise<void> {
    await this.pub.publish(this.prefix + channel, this.frame(message));
  }

  async publishDurable(channel: string, message: Envelope): Promise<void> {
    const frame = this.frame(message);
    // Both commands leave in one pipeline: the log for consumer groups, Pub/Sub for live listeners.
    await Promise.all([
      this.pub.call(
        'XADD',
        this.keys.stream(channel),
        'MAXLEN',
        '~',
        this.durable.maxBacklog,
        '*',
        'f',
        frame,
      ),
      this.pub.publish(this.prefix + channel, frame),
    ]);
  }

  /**
   * The wire form of an outgoing message (signed when a secret is set); refuses while Redis is
   * away.
   */
  private frame(message: Envelope): string {
    if (this.current !== 'connected') {
      throw new BlockError(
        OrchestrationCodes.TRANSPORT_DOWN,
        `message bus is ${this.current}: Redis is not reachable`,
        { retryable: true },
      );
    }
    this.dispatcher.counters.published++;
    return encodeFrame(message, this.signer);
  }

  async consume(
    channel: string,
    group: string,
    consumer: string,
    handler: DurableHandler,
  ): Promise<Unsubscribe> {
    const name = `${group}\u0000${consumer}`;
    let reader = this.readers.get(name);
    if (!reader) {
      reader = new StreamGroupReader(
        {
          pub: this.pub,
          keys: this.keys,
          signer: this.signer,
          counters: this.dispatcher.counters,
          observer: this.observer,
          settings: this.durable,
          connection: this.connection,
          url: this.options.url,
        },
        group,
        consumer,
      );
      this.readers.set(name, reader);
    }
    try {
      return await reader.add(channel, handler);
    } catch (err) {
      throw new BlockError(
        OrchestrationCodes.TRANSPORT_DOWN,
        `cannot consume ${channel} as ${group}: ${errorMessage(err)}`,
        { retryable: true },
      );
    }
  }

  deadLetters(channel: string, limit = 100): Promise<DeadLetter[]> {
    return readDeadLetters(this.pub, this.keys, channel, limit);
  }

  replayDeadLetter(channel: string, group: string, id: string): Promise<boolean> {
    return replayDeadLetter(this.pub, this.keys, channel, group, id);
  }

  async subscribe(channel: string, handler: BusHandler): Promise<Unsubscribe> {
    // The first handler on a channel sends SUBSCRIBE; later ones wait for that same command, so
    // none returns before the subscription is live. If it fails (Redis down, no offline queue),
    // every handler that waited on it is removed again: otherwise the channel would stay known
    // locally but unsubscribed in Redis, and no later subscribe() would ever send SUBSCRIBE.
    let pending: Promise<unknown> | undefined;
    if (this.dispatcher.add(channel, handler)) {
      pending = this.sub.subscribe(this.prefix + channel);
      this.subscribing.set(channel, pending);
    } else {
      pending = this.subscribing.get(channel);
    }
    if (pending) {
      try {
        await pending;
      } catch (err) {
        this.dispatcher.remove(channel, handler);
        throw new BlockError(
          OrchestrationCodes.TRANSPORT_DOWN,
          `cannot subscribe to ${channel}: ${errorMessage(err)}`,
          { retryable: true },
        );
      } finally {
        if (this.subscribing.get(channel) === pending) this.subscribing.delete(channel);
      }
    }
    return async () => {
      if (this.dispatcher.remove(channel, handler) && this.sub.status === 'ready')
        await this.sub.unsubscribe(this.prefix + channel);
    };
  }

  state(): TransportState {
    return this.current;
  }

  counters() {
    return { ...this.dispatcher.counters };
  }

  async close(): Promise<void> {
    if (this.current !== 'closed') this.observer.onStateChange?.('closed');
    this.current = 'closed';
    // Readers stop first: a handler still running may finish and acknowledge on `pub`.
    await Promise.allSettled([...this.readers.values()].map((r) => r.close()));
    await Promise.allSettled([this.sub.quit(), this.pub.quit()]);
    this.sub.disconnect();
    this.pub.disconnect();
  }

  private onRaw(prefixed: string, frame: string): void {
    const channel = prefixed.startsWith(this.prefix)
      ? prefixed.slice(this.prefix.length)
      : prefixed;
    const decoded = decodeFrame(frame, this.signer);
    if ('envelope' in decoded) this.dispatcher.deliver(channel, decoded.envelope);
    else this.dispatcher.drop(channel, decoded.problem, decoded.raw);
  }

  private refreshState(): void {
    if (this.current === 'closed') return;
    const before = this.current;
    const statuses = [this.pub.status, this.sub.status];
    if (statuses.every((s) => s === 'ready')) this.current = 'connected';
    else if (statuses.some((s) => s === 'reconnecting' || s === 'connecting' || s === 'connect'))
      this.current = before === 'connecting' ? 'connecting' : 'reconnecting';
    else this.current = 'disconnected';
    if (before !== this.current) this.observer.onStateChange?.(this.current);
  }
}

/** Never log a password that may sit in a connection URL. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '<unparseable url>';
  }
}
