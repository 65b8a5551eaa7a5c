/**
 * What belongs to one viewer (content:v2): the watch history (their progress rows, newest
 * first), marking an item or a whole event as watched, "my list", and their settings (autoplay
 * of the next episode, language). Everything is per user id and kept in the block's database.
 */
import type { Kysely } from 'kysely';
import type { Archive } from './archive.ts';
import {
  toContent,
  type ContentDB,
  type ContentItem,
  type ProgressTable,
  type Via,
} from './models.ts';
import { countRows, toWatched, type ContentReads } from './reads.ts';

export interface ViewerSettings {
  autoplay: boolean;
  language: 'ko' | 'en' | null;
}
const DEFAULT_SETTINGS: ViewerSettings = { autoplay: true, language: null };
type Page = { limit: number; offset: number };

export class Viewers {
  constructor(
    private readonly db: Kysely<ContentDB>,
    private readonly reads: ContentReads,
    private readonly archive: Archive,
    private readonly now: () => number,
  ) {}

  /** Everything the viewer has started or finished, most recently watched first. */
  async history(userId: string, { limit, offset }: Page) {
    const base = this.db.selectFrom('progress').where('user_id', '=', userId);
    const rows = await this.reads.watched(userId).limit(limit).offset(offset).execute();
    const items = rows.map((r) => toWatched(userId, r));
    return { items, total: await countRows(base), limit, offset };
  }

  /** Removes an item from the history (its progress goes with it). */
  async forget(userId: string, contentId: string): Promise<{ removed: boolean }> {
    const res = await this.db
      .deleteFrom('progress')
      .where('user_id', '=', userId)
      .where('content_id', '=', contentId)
      .executeTakeFirst();
    return { removed: Number(res.numDeletedRows) > 0 };
  }

  /** Watched: progress at the end, finished. Not watched: no progress at all. */
  async setWatched(userId: string, contentId: string, watched: boolean, via: Via) {
    const item = await this.reads.require(contentId);
    await this.mark(userId, [item], watched, via);
    return { content_id: contentId, watched };
  }

  /** The same for every episode of an event. */
  async setEventWatched(userId: string, eventId: string, watched: boolean, via: Via) {
    const event = await this.archive.event(eventId);
    if (!event) return null;
    await this.mark(userId, event.episodes, watched, via);
    return { event_id: eventId, watched, episodes: event.episodes.length };
  }

  async list(userId: string, { limit, offset }: Page) {
    const base = this.db.selectFrom('my_list').where('user_id', '=', userId);
    const rows = await this.db
      .selectFrom('my_list as l')
      .innerJoin('contents as c', 'c.id', 'l.content_id')
      .selectAll('c')
      .where('l.user_id', '=', userId)
      .orderBy('l.added_at', 'desc')
      .orderBy('c.id')
      .limit(limit)
      .offset(offset)
      .execute();
    return { items: rows.map(toContent), total: await countRows(base), limit, offset };
  }

  /** Idempotent: adding an item already on the list keeps its place. */
  async addToList(userId: string, contentId: string) {
    await this.reads.require(contentId);
    await this.db
      .insertInto('my_list')
      .values({ user_id: userId, content_id: contentId, added_at: this.now() })
      .onConflict((oc) => oc.columns(['user_id', 'content_id']).doNothing())
      .execute();
    return { content_id: contentId, on_list: true };
  }

  async removeFromList(userId: string, contentId: string) {
    await this.db
      .deleteFrom('my_list')
      .where('user_id', '=', userId)
      .where('content_id', '=', contentId)
      .execute();
    return { content_id: contentId, on_list: false };
  }

  /**
   * "Continue the event": for each event the viewer is part-way through (an episode finished,
   * not all), the first episode not finished yet; most recently watched events first.
   */
  async continueEvents(userId: string, limit: number): Promise<ContentItem[]> {
    const recent = await this.db
      .selectFrom('progress as p')
      .innerJoin('structure as s', 's.content_id', 'p.content_id')
      .select((eb) => ['s.event_id', eb.fn.max('p.updated_at').as('at')])
      .where('p.user_id', '=', userId)
      .where('s.event_id', 'is not', null)
      .groupBy('s.event_id')
      .orderBy('at', 'desc')
      .limit(limit)
      .execute();
    const finished = new Set(
      (
        await this.db
          .selectFrom('progress')
          .select('content_id')
          .where('user_id', '=', userId)
          .where('finished', '=', 1)
          .execute()
      ).map((r) => r.content_id),
    );
    const next: ContentItem[] = [];
    for (const { event_id } of recent) {
      const episodes = (await this.archive.event(event_id!))?.episodes ?? [];
      const up = episodes.find((e) => !finished.has(e.id));
      if (up && episodes.some((e) => finished.has(e.id))) next.push(up);
    }
    return next;
  }

  /** Which of these items are on the viewer's list. */
  async onList(userId: string, contentIds: string[]): Promise<Set<string>> {
    if (!contentIds.length) return new Set();
    const rows = await this.db
      .selectFrom('my_list')
      .select('content_id')
      .where('user_id', '=', userId)
      .where('content_id', 'in', contentIds)
      .execute();
    return new Set(rows.map((r) => r.content_id));
  }

  async settings(userId: string): Promise<ViewerSettings> {
    const row = await this.db
      .selectFrom('viewer_settings')
      .selectAll()
      .where('user_id', '=', userId)
      .executeTakeFirst();
    if (!row) return { ...DEFAULT_SETTINGS };
    return { autoplay: row.autoplay === 1, language: row.language as ViewerSettings['language'] };
  }

  async updateSettings(userId: string, patch: Partial<ViewerSettings>): Promise<ViewerSettings> {
    const next = { ...(await this.settings(userId)), ...patch };
    const row = {
      user_id: userId,
      autoplay: next.autoplay ? 1 : 0,
      language: next.language,
      updated_at: this.now(),
    };
    const { user_id: _u, ...changes } = row;
    await this.db
      .insertInto('viewer_settings')
      .values(row)
      .onConflict((oc) => oc.column('user_id').doUpdateSet(changes))
      .execute();
    return next;
  }

  private async mark(userId: string, items: ContentItem[], watched: boolean, via: Via) {
    const now = this.now();
    for (const item of items) {
      if (!watched) {
        await this.forget(userId, item.id);
        continue;
      }
      const duration = item.duration_seconds ?? 0;
      const row: ProgressTable = {
        user_id: userId,
        content_id: item.id,
        position_seconds: duration,
        duration_seconds: duration,
        percent: 100,
        finished: 1,
        updated_at: now,
      };
      const { user_id: _u, content_id: _c, ...changes } = row;
      await this.db
        .insertInto('progress')
        .values(row)
        .onConflict((oc) => oc.columns(['user_id', 'content_id']).doUpdateSet(changes))
        .execute();
    }
    for (const item of items)
      await via.publishOrLog('progress_updated', {
        user_id: userId,
        content_id: item.id,
        position_seconds: watched ? (item.duration_seconds ?? 0) : 0,
        percent: watched ? 100 : 0,
      });
  }
}
