/**
 * The orchestration layer's own events, published on the `system` channel. Blocks subscribe
 * to them like any other event (for example to drop cached data of a block that died).
 */
import { z } from 'zod';
import { defineContract } from './define.ts';

export const BlockStatusSchema = z.enum([
  'starting',
  'healthy',
  'degraded',
  'unhealthy',
  'stopped',
]);
export const BreakerStateSchema = z.enum(['closed', 'open', 'half-open']);

const blockHealthEvent = z.object({
  block_id: z.string(),
  status: BlockStatusSchema,
  previous: BlockStatusSchema.nullable(),
  reason: z.string().nullable(),
  node_id: z.string().nullable(),
});

export const orchestratorV1 = defineContract('orchestrator', 'v1', {
  actions: {},
  events: {
    block_unhealthy: blockHealthEvent,
    block_recovered: blockHealthEvent,
    breaker_state_changed: z.object({
      block_id: z.string(),
      state: BreakerStateSchema,
      node_id: z.string(),
    }),
  },
});

/** Event types that travel on the `system` channel rather than a channel of their own. */
export const SYSTEM_EVENTS: ReadonlySet<string> = new Set(Object.keys(orchestratorV1.events));
