/** The search block's types, its matching rules and every error code it raises, in one place. */
import type { z } from 'zod';
import { BlockError } from '../../orchestration/index.ts';
import type { IndexDocument, SearchHit } from '../../orchestration/contracts/search.ts';

export type IndexDoc = z.output<typeof IndexDocument>;
export type Hit = z.output<typeof SearchHit>;
export interface Suggestion {
  content_id: string;
  title: string;
}

/** What an engine is asked: the query text, the filters and one page (offset/limit). */
export interface EngineQuery {
  q: string;
  catalog?: string;
  min_duration?: number;
  max_duration?: number;
  offset: number;
  limit: number;
}

/** Scores are normalised to 0..1; `total` counts every match, not only this page. */
export interface EngineResult {
  hits: Hit[];
  total: number;
}

/**
 * Field order is ranking order: a match in the title outranks one in the description, then the
 * catalog name.
 */
export const FIELDS = ['title', 'description', 'catalog'] as const;
export const FIELD_BOOST = { title: 6, description: 2, catalog: 1 } as const;
/** Typo tolerance by query-word length (MeiliSearch's minWordSizeForTypos). */
export const TYPOS = { oneTypo: 5, twoTypos: 9 } as const;
export const MIN_QUERY_CHARS = 2;
/** Page size of list_contents during a rebuild (the contract's maximum). */
export const LIST_PAGE = 100;
/** How long a search waits for content's LIKE search while the index is still being built. */
export const FALLBACK_TIMEOUT_MS = 2000;

export function typosFor(word: string): number {
  return word.length >= TYPOS.twoTypos ? 2 : word.length >= TYPOS.oneTypo ? 1 : 0;
}

/** Lower case without accents: "Négreanu" and "negreanu" are the same word. */
export const normalise = (text: string): string =>
  text
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase();
/**
 * What a catalog filter compares: content's catalog id rule ("GG Millions" → "gg-millions"), so a
 * filter matches a catalog's name exactly but for case, or its id (what the web app sends).
 */
export const catalogKey = (name: string): string =>
  name
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, '-')
    .replace(/^-+|-+$/g, '') || 'other';

export const toHit = (d: IndexDoc, score: number): Hit => ({
  content_id: d.content_id,
  title: d.title,
  description: d.description,
  catalog: d.catalog,
  duration_seconds: d.duration_seconds,
  thumbnail_url: d.thumbnail_url,
  score,
});

/** Suggestions from hits, best first: one per distinct title. */
export function distinctTitles(hits: Iterable<Suggestion>, limit: number): Suggestion[] {
  const byTitle = new Map<string, Suggestion>();
  for (const { content_id, title } of hits)
    if (!byTitle.has(normalise(title))) byTitle.set(normalise(title), { content_id, title });
  return [...byTitle.values()].slice(0, limit);
}

export const SearchErrors = {
  tooShort: () =>
    new BlockError(
      'QUERY_TOO_SHORT',
      `the search text needs at least ${MIN_QUERY_CHARS} characters`,
      { status: 400 },
    ),
  rebuildFailed: (why: string) =>
    new BlockError('REINDEX_FAILED', `the index could not be rebuilt from content:v1: ${why}`, {
      status: 503,
      retryable: true,
    }),
} as const;
