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
  engine: z
    .string()
    .describe('"minisearch" or "meilisearch"; "database" when content\'s LIKE search answered'),
});

export const searchV1 = defineContract('search', 'v1', {
  actions: {
    search: {
      input: SearchQuery,
      output: SearchResult,
      description:
        'Title > description > catalog; 1 typo from 5 letters, 2 from 9; prefix on the last word; every word must match; scores 0..1.',
    },
    suggest: {
      input: z.object({
        q: z.string().min(1).max(200),
        limit: z.number().int().min(1).max(20).default(10),
      }),
      output: z.object({ suggestions: z.array(z.object({ content_id: Id, title: z.string() })) }),
      description:
        'Titles matching what has been typed so far (title only, prefix on the last word), one per distinct title.',
    },
    index_content: { input: IndexDocument, output: Ok },
    remove_content: { input: z.object({ content_id: Id }), output: Ok },
    reindex_all: {
      input: z.object({}),
      output: z.object({ indexed: z.number().int(), took_ms: z.number() }),
      description:
        'Rebuilds the index from content:v1 list_contents; a call during a rebuild joins it. REINDEX_FAILED (503) when content cannot answer.',
    },
    get_search_stats: {
      input: z.object({}),
      output: z.object({
        engine: z.string(),
        documents: z.number().int(),
        queries: z.number().int(),
        last_reindex_at: IsoDate.nullable(),
        /**
         * The four fields below were added within v1: optional, so older servers and existing mocks
         * still conform.
         */
        ready: z
          .boolean()
          .optional()
          .describe('a full rebuild has succeeded: the index holds the whole catalogue'),
        rebuilding: z.boolean().optional(),
        last_reindex_took_ms: z.number().nullable().optional(),
        last_error: z
          .string()
          .nullable()
          .optional()
          .describe('why the last rebuild failed; null after a success'),
      }),
    },
  },
});
