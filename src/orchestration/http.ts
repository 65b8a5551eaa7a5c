/**
 * The orchestrator's own HTTP surface: /health (for load balancers and people), /api/blocks
 * (the registry as this node sees it) and /metrics (Prometheus text).
 */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Orchestrator } from './orchestrator.ts';
import { BlockStatusSchema, BreakerStateSchema } from './contracts/orchestrator.ts';

const Transport = z.object({ kind: z.enum(['memory', 'redis']), state: z.string() });

const HealthResponse = z.object({
  status: z.enum(['healthy', 'degraded', 'unhealthy']),
  node_id: z.string(),
  uptime_s: z.number(),
  transport: Transport,
  blocks: z.array(
    z.object({
      id: z.string(),
      status: BlockStatusSchema,
      reason: z.string().nullable(),
      node_id: z.string(),
    }),
  ),
});

const BlocksResponse = z.object({
  node_id: z.string(),
  transport: Transport,
  blocks: z.array(
    z.object({
      id: z.string(),
      name: z.string(),
      version: z.string(),
      status: BlockStatusSchema,
      status_reason: z.string().nullable(),
      endpoints: z.array(z.string()),
      dependencies: z.array(z.string()),
      health_url: z.string(),
      contracts: z.array(z.string()),
      node_id: z.string(),
      http_url: z.string().nullable().optional(),
      started_at: z.string(),
      last_seen: z.string(),
      breaker: BreakerStateSchema,
    }),
  ),
});

export function healthSummary(orch: Orchestrator): z.infer<typeof HealthResponse> {
  const transport = { kind: orch.bus.kind, state: orch.bus.state() };
  const blocks = orch.registry
    .list()
    .map((b) => ({ id: b.id, status: b.status, reason: b.status_reason, node_id: b.node_id }));
  const anyLocalDown = orch
    .localBlocks()
    .some((b) => b.info.status === 'unhealthy' || b.info.status === 'stopped');
  const anyDown = blocks.some((b) => b.status !== 'healthy');
  const status =
    transport.state !== 'connected' || !orch.running || anyLocalDown
      ? 'unhealthy'
      : anyDown
        ? 'degraded'
        : 'healthy';
  return {
    status,
    node_id: orch.nodeId,
    uptime_s: Math.round(process.uptime()),
    transport,
    blocks,
  };
}

export function registerOrchestratorRoutes(app: FastifyInstance, orch: Orchestrator): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  r.get(
    '/health',
    {
      schema: {
        tags: ['orchestrator'],
        summary: 'Overall health, each block and the bus transport',
        response: { 200: HealthResponse, 503: HealthResponse },
      },
    },
    async (_req, reply) => {
      const summary = healthSummary(orch);
      return reply.code(summary.status === 'unhealthy' ? 503 : 200).send(summary);
    },
  );
  r.get(
    '/api/blocks',
    {
      schema: {
        tags: ['orchestrator'],
        summary: 'The block registry as this node sees it',
        response: { 200: BlocksResponse },
      },
    },
    async () => ({
      node_id: orch.nodeId,
      transport: { kind: orch.bus.kind, state: orch.bus.state() },
      blocks: orch.registry.list().map((b) => ({
        ...b,
        last_seen: new Date(b.last_seen).toISOString(),
        breaker: orch.breakerState(b.id),
      })),
    }),
  );
  r.get(
    '/metrics',
    { schema: { tags: ['orchestrator'], summary: 'Prometheus metrics', hide: false } },
    async (_req, reply) => {
      reply.header('content-type', 'text/plain; version=0.0.4; charset=utf-8');
      return orch.metrics.render();
    },
  );
}
