/**
 * Everything the content block does, over its own database. HTTP routes and contract handlers
 * are thin layers on top. Events are published through the caller's client (`via`) so they
 * carry the caller's correlation id; a failed publish is logged, never undoes the write.
 */
import { randomUUID } from 'node:crypto';
import { sql, type Kysely, type SqlBool } from 'kysely';
import type { BlockClient, EventName, EventPayload } from '../../orchestration/index.ts';
import {
  fromJsonText,
  isUniqueViolation,
  toIsoString,
  toJsonText,
  type BlockDatabase,
} from '../../platform/database/index.ts';
import {
  ContentErrors,
  FINISHED_PERCENT,
  FINISHED_REMAINING_S,
  HOME_CACHE_MS,
  MAX_METADATA_BYTES,
  ROW_SIZE,
  TRENDING_WINDOW_MS,
  type ContentDB,
  type ContentItem,
  type ContentPatchInput,
  type ContentsTable,
  type NewContentInput,
  type ProgressItem,
  type ProgressTable,
} from './models.ts';

export type Via = Pick<BlockClient, 'publish' | 'log'>;
export interface HomeRow<T = ContentItem> {
  id: string;
  title: string;
  items: T[];
}
export interface Home<T = ContentItem> {
  hero: T | null;
  rows: Array<HomeRow<T>>;
}
export type WatchedItem = ContentItem & { progress: ProgressItem };
interface Shared {
  hero: ContentItem | null;
  rows: HomeRow[];
}
export interface FindInput {
  query: string;
  catalog?: string;
  min_duration?: number;
  max_duration?: number;
  limit: number;
  offset: number;
}

/** A catalog's id: its name lower-cased, runs of anything but letters and digits turned into "-". */
export function catalogId(name: string): string {
  return (
    name
      .trim()
      .toLowerCase()
      .replace(/[^\p{L}\p{N}]+/gu, '-')
      .replace(/^-+|-+$/g, '') || 'other'
  );
}

/** Why a media path is not a safe path relative to the library root, or null when it is. */
export function mediaPathProblem(p: string): string | null {
  if (p.includes('\0')) return 'it contains a NUL character';
  if (p.includes('\\')) return 'it contains a backslash';
  if (p.startsWith('/') || /^[A-Za-z]:/.test(p)) return 'it is absolute';
  const segments = p.split('/');
  if (segments.includes('..')) return 'it contains a ".." segment';
  if (segments.some((s) => s === '' || s === '.')) return 'it contains an empty or "." segment';
  return null;
}

export const isFinished = (position: number, duration: number): boolean =>
  duration > 0 &&
  (position >= (duration * FINISHED_PERCENT) / 100 ||
    (duration - position <= FINISHED_REMAINING_S && position > duration / 2));

function check(f: ContentPatchInput): void {
  const why = f.media_path === undefined ? null : mediaPathProblem(f.media_path);
  if (why) throw ContentErrors.badPath(why);
  if (f.thumbnail_url && !/^(https?:\/\/|\/(?![/\\]))/i.test(f.thumbnail_url))
    throw ContentErrors.badThumbnail();
  if (f.metadata && Buffer.byteLength(JSON.stringify(f.metadata)) > MAX_METADATA_BYTES)
    throw ContentErrors.metadataTooLarge();
  if (f.title?.trim() === '' || f.catalog?.trim() === '') throw ContentErrors.blank();
}

/** The columns a set of fields writes; fields not given are left out (a patch touches only those). */
function columns(f: ContentPatchInput): Partial<ContentsTable> {
  const out: Partial<ContentsTable> = {};
  if (f.title !== undefined)
    Object.assign(out, { title: f.title.trim(), title_lc: f.title.trim().toLowerCase() });
  if (f.description !== undefined)
    Object.assign(out, { description: f.description, description_lc: f.description.toLowerCase() });
  if (f.catalog !== undefined)
    Object.assign(out, { catalog: f.catalog.trim(), catalog_id: catalogId(f.catalog) });
  if (f.metadata !== undefined) out.metadata = toJsonText(f.metadata);
  for (const k of ['media_path', 'file_size', 'duration_seconds', 'thumbnail_url'] as const)
    if (f[k] !== undefined) Object.assign(out, { [k]: f[k] });
  return out;
}

const toContent = (r: ContentsTable): ContentItem => ({
  id: r.id,
  title: r.title,
  description: r.description,
  catalog: r.catalog,
  duration_seconds: r.duration_seconds,
  file_size: r.file_size,
  media_path: r.media_path,
  thumbnail_url: r.thumbnail_url,
  added_at: toIsoString(r.added_at),
  metadata: fromJsonText(r.metadata),
});

const toProgress = (r: ProgressTable): ProgressItem => ({
  user_id: r.user_id,
  content_id: r.content_id,
  position_seconds: r.position_seconds,
  duration_seconds: r.duration_seconds,
  percent: r.percent,
  finished: r.finished === 1,
  updated_at: toIsoString(r.updated_at),
});

const indexFields = (c: ContentItem) => ({
  content_id: c.id,
  title: c.title,
  description: c.description,
  catalog: c.catalog,
  duration_seconds: c.duration_seconds,
  thumbnail_url: c.thumbnail_url,
  added_at: c.added_at,
});

async function emit<E extends EventName>(
  via: Via,
  event: E,
  payload: EventPayload<E>,
): Promise<void> {
  try {
    await via.publish(event, payload);
  } catch (err) {
    via.log.warn(
      { err, event },
      'event not published; subscribers catch up from the content contract',
    );
  }
}

export interface ServiceOptions {
  now?: () => number;
  homeCacheMs?: number;
}

export class ContentService {
  private readonly db: Kysely<ContentDB>;
  private readonly now: () => number;
  private readonly homeCacheMs: number;
  private shared?: { at: number; value: Promise<Shared> };
  private lastPrune = 0;

  constructor(
    private readonly database: BlockDatabase<ContentDB>,
    opts: ServiceOptions = {},
  ) {
    this.db = database.db;
    this.now = opts.now ?? Date.now;
    this.homeCacheMs = opts.homeCacheMs ?? HOME_CACHE_MS;
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

  async list({ catalog, limit, offset }: { catalog?: string; limit: number; offset: number }) {
    const q = catalog
      ? this.db.selectFrom('contents').where('catalog_id', '=', catalogId(catalog))
      : this.db.selectFrom('contents');
    const rows = await q
      .selectAll()
      .orderBy('added_at', 'desc')
      .orderBy('id')
      .limit(limit)
      .offset(offset)
      .execute();
    const { n } = await q
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    return { items: rows.map(toContent), total: Number(n), limit, offset };
  }

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

  /** Idempotent on media_path: an existing item is returned with created=false, unchanged and without an event. */
  async create(
    input: NewContentInput,
    via: Via,
  ): Promise<{ content: ContentItem; created: boolean }> {
    check(input);
    const existing = await this.byPath(input.media_path);
    if (existing) return { content: existing, created: false };
    const now = this.now();
    const row = {
      file_size: null,
      duration_seconds: null,
      thumbnail_url: null,
      metadata: toJsonText({}),
      ...columns(input),
      id: randomUUID(),
      added_at: now,
      updated_at: now,
    } as ContentsTable;
    try {
      await this.db.insertInto('contents').values(row).execute();
    } catch (err) {
      const raced = isUniqueViolation(err) ? await this.byPath(input.media_path) : null;
      if (raced) return { content: raced, created: false };
      throw err;
    }
    const content = toContent(row);
    this.forgetHome();
    await emit(via, 'content_added', indexFields(content));
    return { content, created: true };
  }

  async update(id: string, patch: ContentPatchInput, via: Via): Promise<ContentItem> {
    check(patch);
    const before = await this.require(id);
    const set = columns(patch);
    if (Object.keys(set).length === 0) return before;
    try {
      await this.db
        .updateTable('contents')
        .set({ ...set, updated_at: this.now() })
        .where('id', '=', id)
        .execute();
    } catch (err) {
      const other =
        isUniqueViolation(err) && patch.media_path ? await this.byPath(patch.media_path) : null;
      throw other ? ContentErrors.exists(other.media_path, other.id) : err;
    }
    const content = await this.require(id);
    this.forgetHome();
    await emit(via, 'content_updated', indexFields(content));
    return content;
  }

  /** Deletes an item with its progress and plays; false when there was none. */
  async remove(id: string, via: Via): Promise<boolean> {
    const c = await this.get(id);
    if (!c) return false;
    await this.db.deleteFrom('contents').where('id', '=', id).execute();
    this.forgetHome();
    await emit(via, 'content_deleted', { content_id: id, media_path: c.media_path });
    return true;
  }

  async saveProgress(
    p: { user_id: string; content_id: string; position_seconds: number; duration_seconds: number },
    via: Via,
  ): Promise<ProgressItem> {
    const content = await this.require(p.content_id);
    // A player that does not know the length yet reports 0: fall back to the item's own duration.
    const duration = p.duration_seconds || content.duration_seconds || 0;
    const position = duration > 0 ? Math.min(p.position_seconds, duration) : p.position_seconds;
    const percent = duration > 0 ? Math.round((position / duration) * 10_000) / 100 : 0;
    const row = {
      user_id: p.user_id,
      content_id: p.content_id,
      position_seconds: position,
      duration_seconds: duration,
      percent,
      finished: isFinished(position, duration) ? 1 : 0,
      updated_at: this.now(),
    };
    const { user_id: _u, content_id: _c, ...changes } = row;
    await this.db
      .insertInto('progress')
      .values(row)
      .onConflict((oc) => oc.columns(['user_id', 'content_id']).doUpdateSet(changes))
      .execute();
    await emit(via, 'progress_updated', {
      user_id: row.user_id,
      content_id: row.content_id,
      position_seconds: position,
      percent,
    });
    return toProgress(row);
  }

  /** The user's progress, most recently watched first; one item when contentId is given. */
  async progressOf(userId: string, contentId?: string): Promise<ProgressItem[]> {
    let q = this.db.selectFrom('progress').selectAll().where('user_id', '=', userId);
    if (contentId !== undefined) q = q.where('content_id', '=', contentId);
    return (await q.orderBy('updated_at', 'desc').orderBy('content_id').execute()).map(toProgress);
  }

  async recordPlay(userId: string, contentId: string): Promise<{ plays_last_24h: number }> {
    await this.require(contentId);
    const now = this.now();
    await this.db
      .insertInto('plays')
      .values({ content_id: contentId, user_id: userId, played_at: now })
      .execute();
    if (now - this.lastPrune > 3600_000) {
      this.lastPrune = now;
      await this.db
        .deleteFrom('plays')
        .where('played_at', '<', now - 7 * TRENDING_WINDOW_MS)
        .execute();
    }
    const recent = this.db
      .selectFrom('plays')
      .where('content_id', '=', contentId)
      .where('played_at', '>=', now - TRENDING_WINDOW_MS);
    const { n } = await recent
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    return { plays_last_24h: Number(n) };
  }

  /** The search fallback: LIKE on lower-cased copies, scored exact 1.0 > prefix 0.9 > title 0.7 > description 0.5. */
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
    const byTitle =
      this.database.dialect === 'postgres' ? sql`title_lc collate "C"` : sql`title_lc`;
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
    const n = rows.length
      ? rows[0].total_n
      : input.offset > 0
        ? (await q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n
        : 0;
    return {
      results: rows.map((r) => ({ content: toContent(r), score: Number(r.score) / 100 })),
      total: Number(n),
    };
  }

  async home(userId: string): Promise<Home<ContentItem | WatchedItem>> {
    const [shared, watching] = await Promise.all([
      this.sharedRows(),
      this.continueWatching(userId),
    ]);
    return {
      hero: shared.hero,
      rows: [
        { id: 'continue_watching', title: 'Continue watching', items: watching },
        ...shared.rows,
      ],
    };
  }

  /** Clears the shared home rows; called on every content change here and on content events from other instances. */
  forgetHome(): void {
    this.shared = undefined;
  }

  close(): Promise<void> {
    return this.database.close();
  }

  async health() {
    await sql`select 1`.execute(this.db);
    return { status: 'healthy' as const };
  }

  private async continueWatching(userId: string): Promise<WatchedItem[]> {
    const rows = await this.db
      .selectFrom('progress as p')
      .innerJoin('contents as c', 'c.id', 'p.content_id')
      .selectAll('c')
      .select([
        'p.position_seconds as p_position',
        'p.duration_seconds as p_duration',
        'p.percent as p_percent',
        'p.updated_at as p_updated',
      ])
      .where('p.user_id', '=', userId)
      .where('p.finished', '=', 0)
      .where('p.position_seconds', '>', 0)
      .orderBy('p.updated_at', 'desc')
      .orderBy('c.id')
      .limit(ROW_SIZE.continue_watching)
      .execute();
    return rows.map((r) => ({
      ...toContent(r),
      progress: toProgress({
        user_id: userId,
        content_id: r.id,
        position_seconds: r.p_position,
        duration_seconds: r.p_duration,
        percent: r.p_percent,
        finished: 0,
        updated_at: r.p_updated,
      }),
    }));
  }

  private sharedRows(): Promise<Shared> {
    const now = this.now();
    if (this.shared && now - this.shared.at < this.homeCacheMs) return this.shared.value;
    const entry = (this.shared = { at: now, value: this.buildShared(now) });
    entry.value.catch(() => this.shared === entry && this.forgetHome());
    return entry.value;
  }

  private async buildShared(now: number): Promise<Shared> {
    const newest = await this.db
      .selectFrom('contents')
      .selectAll()
      .orderBy('added_at', 'desc')
      .orderBy('id')
      .limit(ROW_SIZE.new_releases)
      .execute();
    const trending = await this.db
      .selectFrom('plays')
      .innerJoin('contents', 'contents.id', 'plays.content_id')
      .selectAll('contents')
      .select((eb) => eb.fn.countAll<number>().as('plays'))
      .where('plays.played_at', '>=', now - TRENDING_WINDOW_MS)
      .groupBy('contents.id')
      .orderBy('plays', 'desc')
      .orderBy('contents.added_at', 'desc')
      .orderBy('contents.id')
      .limit(ROW_SIZE.trending)
      .execute();
    const rows: HomeRow[] = [
      { id: 'trending', title: 'Trending', items: trending.map(toContent) },
      { id: 'new_releases', title: 'New releases', items: newest.map(toContent) },
    ];
    for (const cat of await this.catalogs()) {
      const items = await this.db
        .selectFrom('contents')
        .selectAll()
        .where('catalog_id', '=', cat.id)
        .orderBy('added_at', 'desc')
        .orderBy('id')
        .limit(ROW_SIZE.catalog)
        .execute();
      rows.push({ id: `catalog:${cat.id}`, title: cat.name, items: items.map(toContent) });
    }
    return { hero: newest[0] ? toContent(newest[0]) : null, rows };
  }
}
