/**
 * The search block: full-text search over the catalogue, kept in sync from content events
 * (docs/blocks/06-search.md).
 */
import {
  defineBlock,
  type BlockSetupContext,
  type ContractHandlers,
} from '../../orchestration/index.ts';
import type { SearchEngine } from './engines/engine.ts';
import { MiniSearchEngine } from './engines/minisearch.ts';
import { SearchService, toDoc } from './service.ts';
import { readSearchSettings, type SearchSettings } from './settings.ts';

/**
 * MiniSearch in this process by default; MeiliSearch when MEILI_URL is set (its client loaded only
 * then).
 */
export async function createEngine(
  { meiliUrl, meiliKey }: SearchSettings,
  shared: BlockSetupContext['shared'],
): Promise<SearchEngine> {
  if (!meiliUrl) return new MiniSearchEngine();
  const { MeiliEngine } = await import('./engines/meili.ts');
  return new MeiliEngine({
    url: meiliUrl,
    key: meiliKey,
    index: `${shared.dbSchemaPrefix}_contents`,
  });
}

function handlers(s: SearchService): ContractHandlers<'search:v1'> {
  return {
    search: (input) => s.search(input),
    suggest: (input) => s.suggest(input),
    index_content: async (doc) => (await s.change({ upsert: toDoc(doc) }), { ok: true as const }),
    remove_content: async ({ content_id }) => (
      await s.change({ remove: content_id }),
      { ok: true as const }
    ),
    reindex_all: () => s.reindex(),
    get_search_stats: () => s.stats(),
  };
}

export default defineBlock({
  id: 'search',
  name: 'Search',
  version: '1.0.0',
  contracts: ['search:v1'],
  // Required: without content the index cannot be rebuilt (search still answers from what it has,
  // degraded).
  dependencies: [{ contract: 'content:v1' }],
  settings: readSearchSettings,
  async setup(ctx) {
    const engine = await createEngine(ctx.settings, ctx.shared);
    // A failed rebuild is retried after WSOPTV_SEARCH_RETRY_MS (1 s by default), doubling up to 10
    // s.
    const service = new SearchService(engine, ctx.client, {
      retryMs: ctx.settings.retryMs,
      maxRetryMs: 10_000,
    });
    service.start();
    return {
      handlers: { 'search:v1': handlers(service) },
      events: {
        content_added: (p, call) => service.onEvent({ upsert: toDoc(p) }, call.log),
        content_updated: (p, call) => service.onEvent({ upsert: toDoc(p) }, call.log),
        content_deleted: (p, call) => service.onEvent({ remove: p.content_id }, call.log),
      },
      health: () => service.health(),
      stop: () => service.close(),
    };
  },
});
