/**
 * What viewers do with items: how far each user has watched each one (with the finished rule),
 * and the plays that make an item trending.
 */
import type { Kysely } from 'kysely';
import {
  TRENDING_WINDOW_MS,
  toProgress,
  type ContentDB,
  type ProgressItem,
  type Via,
} from './models.ts';
import { countRows, type ContentReads } from './reads.ts';
import { isFinished } from './rules.ts';

/** Plays are kept this long (trending only looks at the last day), pruned at most this often. */
const PLAYS_KEPT_MS = 7 * TRENDING_WINDOW_MS;
const PRUNE_EVERY_MS = 3600_000;

export interface ProgressReport {
  user_id: string;
  content_id: string;
  position_seconds: number;
  duration_seconds: number;
}

export class Watching {
  private lastPrune = 0;

  constructor(
    private readonly db: Kysely<ContentDB>,
    private readonly reads: ContentReads,
    private readonly now: () => number,
  ) {}

  async saveProgress(p: ProgressReport, via: Via): Promise<ProgressItem> {
    const content = await this.reads.require(p.content_id);
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
    await via.publishOrLog('progress_updated', {
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

  /** Counts a play; answers how often the item was played in the last 24 h. */
  async recordPlay(userId: string, contentId: string): Promise<{ plays_last_24h: number }> {
    await this.reads.require(contentId);
    const now = this.now();
    await this.db
      .insertInto('plays')
      .values({ content_id: contentId, user_id: userId, played_at: now })
      .execute();
    if (now - this.lastPrune > PRUNE_EVERY_MS) {
      this.lastPrune = now;
      await this.db
        .deleteFrom('plays')
        .where('played_at', '<', now - PLAYS_KEPT_MS)
        .execute();
    }
    const recent = this.db
      .selectFrom('plays')
      .where('content_id', '=', contentId)
      .where('played_at', '>=', now - TRENDING_WINDOW_MS);
    return { plays_last_24h: await countRows(recent) };
  }
}
