/**
 * Small contracts and blocks that exist only in tests, to exercise the orchestration layer
 * without any real block.
 */
import { z } from 'zod';
import { defineContract } from '../../src/orchestration/contracts/define.ts';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import {
  BlockError,
  defineBlock,
  type BlockManifest,
  type HealthReport,
} from '../../src/orchestration/index.ts';

export const echoV1 = defineContract('echo', 'v1', {
  actions: {
    echo: {
      input: z.object({ text: z.string().max(100), times: z.number().int().min(1).default(1) }),
      output: z.object({ text: z.string() }),
    },
    fail: {
      input: z.object({ code: z.string(), retryable: z.boolean().default(false) }),
      output: z.object({}),
    },
    crash: { input: z.object({}), output: z.object({}) },
    hang: { input: z.object({}), output: z.object({}) },
    slow: {
      input: z.object({ ms: z.number().int().min(0).max(5000) }),
      output: z.object({ slept: z.number() }),
    },
    whoami: {
      input: z.object({}),
      output: z.object({ node_id: z.string(), source: z.string(), correlation_id: z.string() }),
    },
    relay: {
      input: z.object({ text: z.string() }),
      output: z.object({ text: z.string(), correlation_id: z.string() }),
    },
  },
  events: {
    echo_said: z.object({ text: z.string() }),
  },
});

export const echoV2 = defineContract('echo', 'v2', {
  actions: {
    echo: {
      input: z.object({ text: z.string(), shout: z.boolean().default(false) }),
      output: z.object({ text: z.string(), version: z.literal('v2') }),
    },
  },
});

export const storeV1 = defineContract('store', 'v1', {
  actions: {
    put: {
      input: z.object({ key: z.string(), value: z.string() }),
      output: z.object({ ok: z.literal(true) }),
    },
    get: {
      input: z.object({ key: z.string() }),
      output: z.object({ value: z.string().nullable() }),
    },
  },
  events: {
    stored: z.object({ key: z.string() }),
  },
});

declare module '../../src/orchestration/contracts/define.ts' {
  interface ContractRegistry {
    'echo:v1': typeof echoV1;
    'echo:v2': typeof echoV2;
    'store:v1': typeof storeV1;
  }
}

export const testContracts = [echoV1, echoV2, storeV1];

/** Health the echo block reports; tests flip it to simulate a sick block. */
export const echoHealth: { report: HealthReport } = { report: { status: 'healthy' } };

export function echoBlock(
  opts: { versions?: Array<'echo:v1' | 'echo:v2'>; nodeLabel?: string } = {},
): BlockManifest<'echo:v1' | 'echo:v2'> {
  const versions = opts.versions ?? ['echo:v1'];
  return defineBlock({
    id: 'echo',
    name: 'Echo (test)',
    version: '1.0.0',
    contracts: versions,
    dependencies: [{ contract: 'store:v1', optional: true }],
    setup: (ctx) => ({
      handlers: {
        'echo:v1': {
          echo: async ({ text, times }) => ({ text: text.repeat(times) }),
          fail: ({ code, retryable }) => {
            throw new BlockError(code, `failed on purpose with ${code}`, { retryable });
          },
          crash: () => {
            throw new TypeError('something broke inside');
          },
          hang: () => new Promise<never>(() => {}),
          slow: ({ ms }) => new Promise((resolve) => setTimeout(() => resolve({ slept: ms }), ms)),
          whoami: (_input, call) => ({
            node_id: ctx.nodeId,
            source: call.source,
            correlation_id: call.correlationId,
          }),
          relay: async ({ text }, call) => {
            call.log.info({ step: 'relay' }, 'relaying to store');
            await call.request('store:v1', 'put', { key: 'relayed', value: text });
            await call.publish('echo_said', { text });
            return { text, correlation_id: call.correlationId };
          },
        },
        'echo:v2': {
          echo: ({ text, shout }) => ({
            text: shout ? text.toUpperCase() : text,
            version: 'v2' as const,
          }),
        },
      },
      health: () => echoHealth.report,
    }),
  });
}

export function storeBlock(): BlockManifest<'store:v1'> {
  const data = new Map<string, string>();
  return defineBlock({
    id: 'store',
    name: 'Store (test)',
    version: '1.0.0',
    contracts: ['store:v1'],
    endpoints: ['GET /api/store/:key', 'PUT /api/store/:key'],
    setup: (ctx) => ({
      routes: (app) => {
        const r = app.withTypeProvider<ZodTypeProvider>();
        const params = z.object({ key: z.string().min(1).max(50) });
        r.put(
          '/store/:key',
          {
            schema: {
              params,
              body: z.object({ value: z.string().max(100) }),
              response: { 200: z.object({ ok: z.literal(true) }) },
            },
          },
          (req) =>
            ctx.client
              .withCorrelation(req.id)
              .request('store:v1', 'put', { key: req.params.key, value: req.body.value }),
        );
        r.get(
          '/store/:key',
          { schema: { params, response: { 200: z.object({ value: z.string().nullable() }) } } },
          (req) =>
            ctx.client.withCorrelation(req.id).request('store:v1', 'get', { key: req.params.key }),
        );
      },
      handlers: {
        'store:v1': {
          put: async ({ key, value }, call) => {
            call.log.info({ step: 'store' }, 'storing');
            data.set(key, value);
            await call.publish('stored', { key });
            return { ok: true as const };
          },
          get: ({ key }) => ({ value: data.get(key) ?? null }),
        },
      },
    }),
  });
}
