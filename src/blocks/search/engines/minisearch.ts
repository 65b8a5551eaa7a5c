/**
 * The default engine: an in-process MiniSearch index (no server, no native code, no other
 * dependency), updated one document at a time and rebuilt in chunks. The scoring is in
 * bm25-index.ts: MiniSearch's own `search()` reached p99 ≈ 1 s at 100,000 items (bench/search.ts).
 */
import {
  distinctTitles,
  FIELDS,
  toHit,
  type EngineQuery,
  type EngineResult,
  type IndexDoc,
  type Suggestion,
} from '../models.ts';
import { best, Index, words } from './bm25-index.ts';
import type { SearchEngine } from './engine.ts';

const BUILD_CHUNK = 1000;

export class MiniSearchEngine implements SearchEngine {
  readonly name = 'minisearch';
  private index = new Index();

  async init(): Promise<void> {}

  async upsert(docs: readonly IndexDoc[]): Promise<void> {
    for (const doc of docs) {
      this.index.drop(doc.content_id);
      this.index.add(doc);
    }
  }

  async remove(ids: readonly string[]): Promise<void> {
    for (const id of ids) this.index.drop(id);
  }

  async replaceAll(docs: readonly IndexDoc[]): Promise<void> {
    const index = new Index();
    const unique = [...new Map(docs.map((d) => [d.content_id, d])).values()];
    // In chunks, yielding in between: a rebuild must not stall the other blocks of the process.
    await index.addAllAsync(unique, { chunkSize: BUILD_CHUNK });
    this.index = index;
  }

  async search(q: EngineQuery): Promise<EngineResult> {
    const { index } = this;
    const { catalog: c, duration: d } = index.col;
    const code = q.catalog === undefined ? -1 : index.catalogCode(q.catalog, false);
    const [min, max] = [q.min_duration ?? -Infinity, q.max_duration ?? Infinity];
    const filtered = code >= 0 || q.min_duration !== undefined || q.max_duration !== undefined;
    const accept = (id: number) =>
      (code < 0 || c[id] === code) &&
      (d[id] >= min || min === -Infinity) &&
      (d[id] <= max || max === Infinity);
    const { ids, scores } = index.match(words(q.q), FIELDS, filtered ? accept : undefined);
    let top = 0;
    for (const s of scores) top = Math.max(top, s);
    const page = best(scores, q.offset + q.limit).slice(q.offset);
    return {
      hits: page.map((n) => toHit(index.docs[ids[n]]!, Math.round((scores[n] / top) * 1e4) / 1e4)),
      total: ids.length,
    };
  }

  async suggest(text: string, limit: number): Promise<Suggestion[]> {
    const { ids, scores } = this.index.match(words(text), ['title']);
    return distinctTitles(
      best(scores, limit * 4).map((n) => this.index.docs[ids[n]]!),
      limit,
    );
  }

  async count(): Promise<number> {
    return this.index.documentCount;
  }

  async ping(): Promise<void> {}

  async close(): Promise<void> {
    this.index = new Index();
  }
}
