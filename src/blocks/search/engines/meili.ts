/**
 * MeiliSearch behind the same interface, used when MEILI_URL is set (several processes then share
 * one index). Settings follow the block's rules: searchable attributes in ranking order, typo
 * tolerance from 5 and 9 letters, every word must match. Catalog filters compare a copy in
 * content's catalog-id form (`catalog_key`), as the default engine does, whatever the server does
 * with case. Every write waits for its task, so a call that returns has been applied. A rebuild
 * fills a second index and swaps it in, so searches never see a half-built index.
 */
import { randomUUID } from 'node:crypto';
import { Meilisearch, type EnqueuedTaskPromise, type Settings } from 'meilisearch';
import {
  catalogKey,
  distinctTitles,
  FIELDS,
  toHit,
  TYPOS,
  type EngineQuery,
  type EngineResult,
  type IndexDoc,
  type Suggestion,
} from '../models.ts';
import type { SearchEngine } from './engine.ts';

type MeiliDoc = IndexDoc & { catalog_key: string };

const DOC_FIELDS = [
  'content_id',
  'title',
  'description',
  'catalog',
  'duration_seconds',
  'thumbnail_url',
  'added_at',
];
const SETTINGS: Settings = {
  searchableAttributes: [...FIELDS],
  filterableAttributes: ['catalog_key', 'duration_seconds'],
  displayedAttributes: DOC_FIELDS,
  typoTolerance: { enabled: true, minWordSizeForTypos: TYPOS },
  // Totals are exact up to this many matches (MeiliSearch's default is 1,000).
  pagination: { maxTotalHits: 100_000 },
};
const TASK = { timeout: 120_000, interval: 25 };
const BATCH = 5_000;

const quote = (s: string) => `"${s.replace(/["\\]/g, '\\$&')}"`;
const toMeili = (d: IndexDoc): MeiliDoc => ({ ...d, catalog_key: catalogKey(d.catalog) });

export interface MeiliOptions {
  url: string;
  key?: string;
  /** Index uid; a rebuild fills `<index>_next_<random>` and swaps it in. */
  index: string;
}

export class MeiliEngine implements SearchEngine {
  readonly name = 'meilisearch';
  private readonly client: Meilisearch;

  constructor(private readonly opts: MeiliOptions) {
    this.client = new Meilisearch({ host: opts.url, apiKey: opts.key, timeout: 5_000 });
  }

  async init(): Promise<void> {
    await this.configure(this.opts.index);
  }

  async upsert(docs: readonly IndexDoc[]): Promise<void> {
    await this.wait(this.index().addDocuments(docs.map(toMeili), { primaryKey: 'content_id' }));
  }

  async remove(ids: readonly string[]): Promise<void> {
    await this.wait(this.index().deleteDocuments([...ids]));
  }

  async replaceAll(docs: readonly IndexDoc[]): Promise<void> {
    // Named per rebuild: instances sharing the server may rebuild at the same time; the last swap
    // wins.
    const next = `${this.opts.index}_next_${randomUUID().slice(0, 8)}`;
    await this.configure(next);
    for (let i = 0; i < docs.length; i += BATCH)
      await this.wait(this.index(next).addDocuments(docs.slice(i, i + BATCH).map(toMeili)));
    await this.wait(this.client.swapIndexes([{ indexes: [this.opts.index, next], rename: false }]));
    await this.client.deleteIndex(next).waitTask(TASK);
  }

  async search(q: EngineQuery): Promise<EngineResult> {
    const filter = [
      q.catalog === undefined ? null : `catalog_key = ${quote(catalogKey(q.catalog))}`,
      q.min_duration === undefined ? null : `duration_seconds >= ${q.min_duration}`,
      q.max_duration === undefined ? null : `duration_seconds <= ${q.max_duration}`,
    ].filter((f) => f !== null);
    const res = await this.index().search(q.q, {
      filter: filter.length ? filter : undefined,
      page: Math.floor(q.offset / q.limit) + 1,
      hitsPerPage: q.limit,
      showRankingScore: true,
      matchingStrategy: 'all',
      attributesToRetrieve: DOC_FIELDS,
    });
    return {
      hits: res.hits.map((h) => toHit(h, Math.round((h._rankingScore ?? 0) * 1e4) / 1e4)),
      total: res.totalHits,
    };
  }

  async suggest(q: string, limit: number): Promise<Suggestion[]> {
    const res = await this.index().search(q, {
      attributesToSearchOn: ['title'],
      limit: limit * 4,
      matchingStrategy: 'all',
      attributesToRetrieve: ['content_id', 'title'],
    });
    return distinctTitles(res.hits, limit);
  }

  async count(): Promise<number> {
    return (await this.index().getStats()).numberOfDocuments;
  }

  async ping(): Promise<void> {
    await this.client.health();
  }

  async close(): Promise<void> {}

  private index(uid = this.opts.index) {
    return this.client.index<MeiliDoc>(uid);
  }

  private async configure(uid: string): Promise<void> {
    await this.wait(
      this.client.createIndex(uid, { primaryKey: 'content_id' }),
      'index_already_exists',
    );
    await this.wait(this.index(uid).updateSettings(SETTINGS));
  }

  /**
   * Waits for the task; a failed task throws with MeiliSearch's message (unless its code is
   * `allowed`).
   */
  private async wait(enqueued: EnqueuedTaskPromise, allowed?: string): Promise<void> {
    const task = await enqueued.waitTask(TASK);
    if (task.status !== 'succeeded' && task.error?.code !== allowed)
      throw new Error(
        `MeiliSearch ${task.type} ${task.status}: ${task.error?.message ?? 'no detail'}`,
      );
  }
}
