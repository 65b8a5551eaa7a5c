/**
 * One interface for every search engine the block can run on. The service never knows which
 * one it holds; the shared test suite (tests/engine-suite.ts) runs against each.
 */
import type { EngineQuery, EngineResult, IndexDoc, Suggestion } from '../models.ts';

export interface SearchEngine {
  /** Reported as `engine` in every answer and in the stats. */
  readonly name: string;
  /** Prepares the engine (index settings); may throw while a server is unreachable. */
  init(): Promise<void>;
  /** Adds or replaces documents by content_id. */
  upsert(docs: readonly IndexDoc[]): Promise<void>;
  remove(ids: readonly string[]): Promise<void>;
  /**
   * Swaps the whole index for these documents; searches see the old index until the new one is
   * complete.
   */
  replaceAll(docs: readonly IndexDoc[]): Promise<void>;
  search(query: EngineQuery): Promise<EngineResult>;
  /** Titles matching what the user has typed so far, best first, one per distinct title. */
  suggest(q: string, limit: number): Promise<Suggestion[]>;
  count(): Promise<number>;
  /** Throws when the engine cannot serve (a server that does not answer). */
  ping(): Promise<void>;
  close(): Promise<void>;
}
