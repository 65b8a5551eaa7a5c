/**
 * The rows of /api/home. "Continue watching" is the caller's own and is read on every request;
 * the rest (hero, trending, new releases, one row per catalog) is the same for everyone and is
 * kept for HOME_CACHE_MS, or until a content change clears it.
 */
import type { Kysely } from 'kysely';
import {
  ROW_SIZE,
  TRENDING_WINDOW_MS,
  toContent,
  type ContentDB,
  type ContentItem,
  type WatchedItem,
} from './models.ts';
import { toWatched, type ContentReads } from './reads.ts';

export interface HomeRow {
  id: string;
  title: string;
  /** WatchedItems in "continue watching". */
  items: ContentItem[];
}

export interface Home {
  hero: ContentItem | null;
  rows: HomeRow[];
}

export class HomeRows {
  private shared?: { at: number; value: Promise<Home> };

  constructor(
    private readonly db: Kysely<ContentDB>,
    private readonly reads: ContentReads,
    private readonly now: () => number,
    private readonly cacheMs: number,
    /** The viewer's own rows after "continue watching" (continue the event, my list). */
    private readonly personal: (userId: string) => Promise<HomeRow[]> = async () => [],
  ) {}

  async of(userId: string): Promise<Home> {
    const [shared, watching, personal] = await Promise.all([
      this.sharedRows(),
      this.continueWatching(userId),
      this.personal(userId),
    ]);
    return {
      hero: shared.hero,
      rows: [
        { id: 'continue_watching', title: 'Continue watching', items: watching },
        // Only when they have something: a viewer without a list sees no empty row.
        ...personal.filter((r) => r.items.length > 0),
        ...shared.rows,
      ],
    };
  }

  /**
   * Clears the shared rows; called on every content change here and on content events from other
   * instances.
   */
  forget(): void {
    this.shared = undefined;
  }

  private async continueWatching(userId: string): Promise<WatchedItem[]> {
    const rows = await this.reads
      .watched(userId)
      .where('p.finished', '=', 0)
      .where('p.position_seconds', '>', 0)
      .limit(ROW_SIZE.continue_watching)
      .execute();
    return rows.map((r) => toWatched(userId, r));
  }

  /** The cached shared rows; a failed build is not kept, so the next request tries again. */
  private sharedRows(): Promise<Home> {
    const now = this.now();
    if (this.shared && now - this.shared.at < this.cacheMs) return this.shared.value;
    const entry = (this.shared = { at: now, value: this.buildShared(now) });
    entry.value.catch(() => this.shared === entry && this.forget());
    return entry.value;
  }

  private async buildShared(now: number): Promise<Home> {
    const newest = await this.reads.newest(ROW_SIZE.new_releases);
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
      { id: 'new_releases', title: 'New releases', items: newest },
    ];
    for (const cat of await this.reads.catalogs()) {
      const items = await this.reads.newest(ROW_SIZE.catalog, cat.id);
      rows.push({ id: `catalog:${cat.id}`, title: cat.name, items });
    }
    return { hero: newest[0] ?? null, rows };
  }
}
