/**
 * Reading the archive: one item, a page of items, the catalogs, and the LIKE text search the
 * search block falls back to. Nothing here writes.
 */
import { sql, type Kysely, type SelectQueryBuilder, type SqlBool } from 'kysely';
import type { DatabaseDialect } from '../../platform/database/index.ts';
import {
  ContentErrors,
  toContent,
  toProgress,
  type ContentDB,
  type ContentItem,
  type ContentsTable,
  type WatchedItem,
} from './models.ts';
import { catalogId } from './rules.ts';

export interface FindInput {
  query: string;
  catalog?: string;
  min_duration?: number;
  max_duration?: number;
  limit: number;
  offset: number;
}

/** How many rows a query selects. */
export async function countRows<T extends keyof ContentDB>(
  q: SelectQueryBuilder<ContentDB, T, object>,
): Promise<number> {
  const { n } = await q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  return Number(n);
}

/** A row of `ContentReads.watched`: the item's columns with the viewer's progress. */
type WatchedRow = ContentsTable & {
  p_position: number;
  p_duration: number;
  p_percent: number;
  p_finished: number;
  p_updated: number;
};

/** A row of `ContentReads.watched` as an item with the viewer's progress. */
export const toWatched = (userId: string, r: WatchedRow): WatchedItem => ({
  ...toContent(r),
  progress: toProgress({
    user_id: userId,
    content_id: r.id,
    position_seconds: r.p_position,
    duration_seconds: r.p_duration,
    percent: r.p_percent,
    finished: r.p_finished,
    updated_at: r.p_updated,
  }),
});

export class ContentReads {
  constructor(
    private readonly db: Kysely<ContentDB>,
    private readonly dialect: DatabaseDialect,
  ) {}

  /** The items a viewer has progress on, most recently watched first (map rows with toWatched). */
  watched(userId: string) {
    return this.db
      .selectFrom('progress as p')
      .innerJoin('contents as c', 'c.id', 'p.content_id')
      .selectAll('c')
      .select([
        'p.position_seconds as p_position',
        'p.duration_seconds as p_duration',
        'p.percent as p_percent',
        'p.finished as p_finished',
        'p.updated_at as p_updated',
      ])
      .where('p.user_id', '=', userId)
      .orderBy('p.updated_at', 'desc')
      .orderBy('c.id');
  }

  async get(id: string, column: 'id' | 'media_path' = 'id'): Promise<ContentItem | null> {
    const row = await this.db
      .selectFrom('contents')
      .selectAll()
      .where(column, '=', id)
      .executeTakeFirst();
    return row ? toContent(row) : null;
  }

  async require(id: string): Promise<ContentItem> {
    const c = await this.get(id);
    if (!c) throw ContentErrors.notFound(id);
    return c;
  }

  byPath(mediaPath: string): Promise<ContentItem | null> {
    return this.get(mediaPath, 'media_path');
  }

  async existsByPath(mediaPath: string) {
    const c = await this.byPath(mediaPath);
    return { exists: c !== null, content_id: c?.id ?? null };
  }

  /** Items newest first, of one catalog (by its id) or of all. */
  async newest(limit: number, ofCatalog?: string, offset = 0): Promise<ContentItem[]> {
    const rows = await this.inCatalog(ofCatalog)
      .selectAll()
      .orderBy('added_at', 'desc')
      .orderBy('id')
      .limit(limit)
      .offset(offset)
      .execute();
    return rows.map(toContent);
  }

  /** A page of items, newest first; `catalog` is a name or an id, empty for all. */
  async list({ catalog, limit, offset }: { catalog?: string; limit: number; offset: number }) {
    const id = catalog ? catalogId(catalog) : undefined;
    const items = await this.newest(limit, id, offset);
    return { items, total: await countRows(this.inCatalog(id)), limit, offset };
  }

  /** Every catalog with its number of items, sorted by id. */
  async catalogs() {
    const rows = await this.db
      .selectFrom('contents')
      .select((eb) => [
        'catalog_id',
        eb.fn.min('catalog').as('name'),
        eb.fn.countAll<number>().as('n'),
      ])
      .groupBy('catalog_id')
      .execute();
    return rows
      .map((r) => ({ id: r.catalog_id, name: r.name, content_count: Number(r.n) }))
      .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  /**
   * The search fallback: LIKE on lower-cased copies, scored exact 1.0 > prefix 0.9 > title 0.7 >
   * description 0.5.
   */
  async findByText(input: FindInput) {
    const text = input.query.trim().toLowerCase();
    if (!text) throw ContentErrors.emptyQuery();
    const esc = text.replace(/[\\%_]/g, (m) => `\\${m}`);
    const like = (column: 'title_lc' | 'description_lc', pattern: string) =>
      sql<SqlBool>`${sql.ref(column)} like ${pattern} escape '\\'`;
    const score = sql<number>`case when title_lc = ${text} then 100 when ${like('title_lc', `${esc}%`)} then 90 when ${like('title_lc', `%${esc}%`)} then 70 else 50 end`;
    let q = this.db
      .selectFrom('contents')
      .where((eb) => eb.or([like('title_lc', `%${esc}%`), like('description_lc', `%${esc}%`)]));
    if (input.catalog) q = q.where('catalog_id', '=', catalogId(input.catalog));
    if (input.min_duration !== undefined) q = q.where('duration_seconds', '>=', input.min_duration);
    if (input.max_duration !== undefined) q = q.where('duration_seconds', '<=', input.max_duration);
    // Byte order on both databases: PostgreSQL would otherwise sort by the server's locale.
    const byTitle = this.dialect === 'postgres' ? sql`title_lc collate "C"` : sql`title_lc`;
    // One scan: the window count gives the total with the page (the LIKE '%…%' scan is the cost).
    const total = sql<number>`count(*) over ()`;
    const rows = await q
      .selectAll()
      .select([score.as('score'), total.as('total_n')])
      .orderBy('score', 'desc')
      .orderBy(byTitle)
      .orderBy('id')
      .limit(input.limit)
      .offset(input.offset)
      .execute();
    // An empty page past the end still reports the total.
    const n = rows.length ? rows[0].total_n : input.offset > 0 ? await countRows(q) : 0;
    return {
      results: rows.map((r) => ({ content: toContent(r), score: Number(r.score) / 100 })),
      total: Number(n),
    };
  }

  private inCatalog(id: string | undefined) {
    const q = this.db.selectFrom('contents');
    return id ? q.where('catalog_id', '=', id) : q;
  }
}
