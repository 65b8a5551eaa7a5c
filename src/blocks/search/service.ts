/**
 * The search block over one engine: queries, the index kept in sync from content events, and
 * full rebuilds from content:v1 (at start-up, on `reindex_all`, after a change that could not be
 * applied). Start-up never waits for content: the index starts empty, the block reports
 * `degraded` and the rebuild is retried with back-off until it succeeds.
 */
import type { z } from 'zod';
import type { BlockClient, HealthReport, searchV1 } from '../../orchestration/index.ts';
import type { SearchEngine } from './engines/engine.ts';
import {
  FALLBACK_TIMEOUT_MS,
  LIST_PAGE,
  MIN_QUERY_CHARS,
  SearchErrors,
  toHit,
  type IndexDoc,
} from './models.ts';

type Actions = (typeof searchV1)['actions'];
type In<A extends keyof Actions> = z.output<Actions[A]['input']>;
type Out<A extends keyof Actions> = z.input<Actions[A]['output']>;
type Change = { upsert: IndexDoc } | { remove: string };

/** First retry delay of a failed rebuild, doubling up to maxRetryMs. */
export interface ServiceOptions {
  retryMs: number;
  maxRetryMs: number;
}

/** The index document of a content item or of a content event's payload (extra fields dropped). */
export const toDoc = (
  c: Omit<IndexDoc, 'content_id'> & ({ content_id: string } | { id: string }),
): IndexDoc => ({
  content_id: 'id' in c ? c.id : c.content_id,
  title: c.title,
  description: c.description,
  catalog: c.catalog,
  duration_seconds: c.duration_seconds,
  thumbnail_url: c.thumbnail_url,
  added_at: c.added_at,
});

const reason = (err: unknown) =>
  err instanceof Error
    ? `${(err as { code?: string }).code ?? err.name}: ${err.message}`
    : String(err);

export class SearchService {
  private queries = 0;
  /** True once a full rebuild has succeeded: the index then holds the whole catalogue. */
  private ready = false;
  private stale: string | null = null;
  private lastError: string | null = null;
  private last: { at: string; took_ms: number } | null = null;
  private rebuilding?: Promise<Out<'reindex_all'>>;
  /** Changes seen while a rebuild runs, replayed onto the new index once it is in place. */
  private journal?: Change[];
  private retry?: NodeJS.Timeout;
  private attempts = 0;
  private closed = false;

  constructor(
    private readonly engine: SearchEngine,
    private readonly client: BlockClient,
    private readonly opts: ServiceOptions,
  ) {}

  /** Starts the first rebuild in the background. */
  start(): void {
    this.scheduleRebuild(0);
  }

  async search(input: In<'search'>): Promise<Out<'search'>> {
    const q = input.q.trim();
    if (q.length < MIN_QUERY_CHARS) throw SearchErrors.tooShort();
    this.queries++;
    const { page, limit, catalog, min_duration, max_duration } = input;
    const query = { q, catalog, min_duration, max_duration, offset: (page - 1) * limit, limit };
    const fromDb = this.ready ? null : await this.fromDatabase(query).catch(() => null);
    const { hits, total } = fromDb ?? (await this.engine.search(query));
    return {
      results: hits,
      total,
      page,
      pages: Math.ceil(total / limit),
      query: q,
      engine: fromDb ? 'database' : this.engine.name,
    };
  }

  async suggest({ q, limit }: In<'suggest'>): Promise<Out<'suggest'>> {
    return { suggestions: q.trim() ? await this.engine.suggest(q.trim(), limit) : [] };
  }

  /** Applies one change; while a rebuild runs it is also journaled for the new index. */
  async change(change: Change): Promise<void> {
    this.journal?.push(change);
    await this.apply(change);
  }

  /** An event's change: a failure is logged and repaired by a full rebuild. */
  async onEvent(change: Change, log: BlockClient['log']): Promise<void> {
    try {
      await this.change(change);
    } catch (err) {
      log.warn({ err }, 'search index missed a change; rebuilding it');
      this.stale = reason(err);
      this.scheduleRebuild(this.opts.retryMs);
    }
  }

  /** Rebuilds the whole index from content:v1; concurrent calls share one rebuild. */
  reindex(): Promise<Out<'reindex_all'>> {
    return (this.rebuilding ??= this.rebuild().finally(() => (this.rebuilding = undefined)));
  }

  async stats(): Promise<Out<'get_search_stats'>> {
    return {
      engine: this.engine.name,
      documents: await this.engine.count(),
      queries: this.queries,
      last_reindex_at: this.last?.at ?? null,
      ready: this.ready,
      rebuilding: this.rebuilding !== undefined,
      last_reindex_took_ms: this.last?.took_ms ?? null,
      last_error: this.lastError,
    };
  }

  async health(): Promise<HealthReport> {
    try {
      await this.engine.ping();
    } catch (err) {
      return { status: 'unhealthy', reason: `${this.engine.name} unreachable: ${reason(err)}` };
    }
    if (!this.ready)
      return {
        status: 'degraded',
        reason: this.lastError
          ? `index not built yet (${this.lastError}); retrying`
          : 'index being built from content:v1',
      };
    if (this.stale)
      return { status: 'degraded', reason: `index missed a change (${this.stale}); rebuilding` };
    return { status: 'healthy' };
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.retry);
    await this.engine.close();
  }

  private apply(change: Change): Promise<void> {
    return 'upsert' in change
      ? this.engine.upsert([change.upsert])
      : this.engine.remove([change.remove]);
  }

  private scheduleRebuild(delayMs: number): void {
    if (this.closed || this.retry) return;
    this.retry = setTimeout(() => {
      this.retry = undefined;
      this.reindex().catch(() =>
        this.scheduleRebuild(
          Math.min(this.opts.retryMs * 2 ** this.attempts++, this.opts.maxRetryMs),
        ),
      );
    }, delayMs);
    this.retry.unref();
  }

  private async rebuild(): Promise<Out<'reindex_all'>> {
    const started = performance.now();
    this.journal = [];
    try {
      await this.engine.init();
      const docs = await this.readAll();
      if (this.closed) throw new Error('search block stopped');
      await this.engine.replaceAll(docs);
      // Appended to while it is replayed: newer changes land last.
      for (const change of this.journal) await this.apply(change);
      const took_ms = Math.round(performance.now() - started);
      [this.ready, this.stale, this.lastError, this.attempts] = [true, null, null, 0];
      this.last = { at: new Date().toISOString(), took_ms };
      this.client.log.info({ documents: docs.length, took_ms }, 'search index rebuilt');
      return { indexed: await this.engine.count(), took_ms };
    } catch (err) {
      this.lastError = reason(err);
      this.client.log.warn({ err }, 'search index rebuild failed');
      throw SearchErrors.rebuildFailed(this.lastError);
    } finally {
      this.journal = undefined;
    }
  }

  /**
   * Every item, page by page. Pages are offsets into a list that may change meanwhile: added or
   * deleted items arrive as events (journaled), but a deletion also shifts the later pages and
   * can hide an unchanged item, so a pass during which the total moved is repeated (twice at most).
   */
  private async readAll(): Promise<IndexDoc[]> {
    for (let pass = 1; ; pass++) {
      const docs = new Map<string, IndexDoc>();
      let [offset, total, moved] = [0, -1, false];
      do {
        const page = await this.client.request('content:v1', 'list_contents', {
          limit: LIST_PAGE,
          offset,
        });
        moved ||= total >= 0 && page.total !== total;
        total = page.total;
        for (const c of page.items) docs.set(c.id, toDoc(c));
        offset += LIST_PAGE;
        if (page.items.length === 0) break;
        // content may answer synchronously (SQLite): let the rest of the process breathe
        await new Promise(setImmediate);
      } while (offset < total);
      if (!moved || pass === 3) return [...docs.values()];
    }
  }

  /** Content's LIKE search, used only until the first rebuild is done. */
  private async fromDatabase(q: {
    q: string;
    catalog?: string;
    min_duration?: number;
    max_duration?: number;
    offset: number;
    limit: number;
  }) {
    const { q: query, ...rest } = q;
    const found = await this.client.request(
      'content:v1',
      'find_by_text',
      { query, ...rest },
      { timeoutMs: FALLBACK_TIMEOUT_MS },
    );
    return {
      hits: found.results.map(({ content, score }) => toHit(toDoc(content), score)),
      total: found.total,
    };
  }
}
