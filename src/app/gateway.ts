/**
 * Routes that belong to no single block because they must keep answering when a block is down.
 * `/api/search` asks the search block and, when it cannot answer (stopped, unreachable, breaker
 * open), the content block's plain SQL LIKE search: the response then says `engine: "database"`.
 * Only when both are down does the caller get a 503.
 */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  BlockError,
  SearchResult,
  type BlockClient,
  type Orchestrator,
} from '../orchestration/index.ts';
import { requireUser } from '../orchestration/http-auth.ts';

const SearchQs = z.object({
  q: z.string().max(200).default(''),
  catalog: z.string().max(100).optional(),
  min_duration: z.coerce.number().min(0).optional(),
  max_duration: z.coerce.number().min(0).optional(),
  page: z.coerce.number().int().min(1).max(10_000).default(1),
  limit: z.coerce.number().int().min(1).max(100).default(20),
});
const SuggestQs = z.object({
  q: z.string().max(200).default(''),
  limit: z.coerce.number().int().min(1).max(20).default(10),
});
const Suggestions = z.object({
  suggestions: z.array(z.object({ content_id: z.string(), title: z.string() })),
  engine: z.string(),
});

function tooShort(q: string): BlockError {
  return new BlockError(
    'QUERY_TOO_SHORT',
    `a search needs at least 2 characters (got ${q.trim().length})`,
    { status: 400 },
  );
}

/** The fallback: content's LIKE search, shaped like the search block's answer. */
async function searchDatabase(
  client: BlockClient,
  q: z.infer<typeof SearchQs>,
): Promise<z.infer<typeof SearchResult>> {
  const found = await client.request('content:v1', 'find_by_text', {
    query: q.q.trim(),
    catalog: q.catalog || undefined,
    min_duration: q.min_duration,
    max_duration: q.max_duration,
    limit: q.limit,
    offset: (q.page - 1) * q.limit,
  });
  return {
    results: found.results.map(({ content: c, score }) => ({
      content_id: c.id,
      title: c.title,
      description: c.description,
      catalog: c.catalog,
      duration_seconds: c.duration_seconds,
      thumbnail_url: c.thumbnail_url,
      score,
    })),
    total: found.total,
    page: q.page,
    pages: Math.ceil(found.total / q.limit),
    query: q.q,
    engine: 'database',
  };
}

export function gatewayRoutes(app: FastifyInstance, orchestrator: Orchestrator): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const tags = ['search'];
  r.get(
    '/api/search',
    {
      onRequest: requireUser(),
      schema: { tags, querystring: SearchQs, response: { 200: SearchResult } },
    },
    async (req) => {
      const q = req.query;
      if (q.q.trim().length < 2) throw tooShort(q.q);
      const client = orchestrator.client('gateway', req.id);
      return client.request(
        'search:v1',
        'search',
        {
          q: q.q.trim(),
          catalog: q.catalog || undefined,
          min_duration: q.min_duration,
          max_duration: q.max_duration,
          page: q.page,
          limit: q.limit,
        },
        { fallback: () => searchDatabase(client, q) },
      );
    },
  );
  r.get(
    '/api/search/suggest',
    {
      onRequest: requireUser(),
      schema: { tags, querystring: SuggestQs, response: { 200: Suggestions } },
    },
    async (req) => {
      const q = req.query.q.trim();
      if (q.length < 2) return { suggestions: [], engine: 'none' };
      const client = orchestrator.client('gateway', req.id);
      let engine = 'index';
      const out = await client.request(
        'search:v1',
        'suggest',
        { q, limit: req.query.limit },
        {
          fallback: async () => {
            engine = 'database';
            const found = await searchDatabase(client, { q, page: 1, limit: req.query.limit });
            return {
              suggestions: found.results.map((h) => ({ content_id: h.content_id, title: h.title })),
            };
          },
        },
      );
      return { ...out, engine };
    },
  );
}
