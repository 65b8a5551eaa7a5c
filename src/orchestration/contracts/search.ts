import { z } from 'zod';
import { defineContract } from './define.ts';
import { ContentSummary, Id, IsoDate, Ok } from './common.ts';

export const IndexDocument = ContentSummary;
export const SearchHit = ContentSummary.omit({ added_at: true }).extend({ score: z.number() });

export const SearchQuery = z.object({
  q: z.string().min(2).max(200),
  catalog: z.string().max(100).optional(),
  min_duration: z.number().min(0).optional(),
  max_duration: z.number().min(0).optional(),
  page: z.number().int().min(1).default(1),
  limit: z.number().int().min(1).max(100).default(20),
});

export const SearchResult = z.object({
  results: z.array(SearchHit),
  total: z.number().int(),
  page: z.number().int(),
  pages: z.number().int(),
  query: z.string(),
  engine: z.string(),
});

export const searchV1 = defineContract('search', 'v1', {
  actions: {
    search: { input: SearchQuery, output: SearchResult },
    suggest: {
      input: z.object({ q: z.string().min(1).max(200), limit: z.number().int().min(1).max(20).default(10) }),
      output: z.object({ suggestions: z.array(z.object({ content_id: Id, title: z.string() })) }),
    },
    index_content: { input: IndexDocument, output: Ok },
    remove_content: { input: z.object({ content_id: Id }), output: Ok },
    reindex_all: { input: z.object({}), output: z.object({ indexed: z.number().int(), took_ms: z.number() }) },
    get_search_stats: {
      input: z.object({}),
      output: z.object({ engine: z.string(), documents: z.number().int(), queries: z.number().int(), last_reindex_at: IsoDate.nullable() }),
    },
  },
});
