/** Chooses the transport from configuration alone: Redis when a URL is given, memory otherwise. */
import type { BusObserver, DurableSettings, MessageBus } from './types.ts';
import { MemoryBus } from './memory.ts';
import { RedisBus } from './redis.ts';

export type BusConfig = (
  | { kind: 'memory' }
  | { kind: 'redis'; url: string; connectTimeoutMs?: number; namespace?: string; secret?: string }
) & {
  durable?: Partial<DurableSettings>;
};

export function createBus(config: BusConfig, observer?: BusObserver): MessageBus {
  return config.kind === 'redis'
    ? new RedisBus(
        {
          url: config.url,
          connectTimeoutMs: config.connectTimeoutMs,
          namespace: config.namespace,
          secret: config.secret,
          durable: config.durable,
        },
        observer,
      )
    : new MemoryBus(observer, config.durable);
}

export { MemoryBus, RedisBus };
export type { BusObserver, MessageBus };
