/**
 * The archive's structure behind content:v2: each item's place (catalog, season, event,
 * episode), the events with their episodes in broadcast order, the next episode, and an admin's
 * corrections, which a rescan keeps.
 */
import type { Kysely, SelectQueryBuilder } from 'kysely';
import type { ContentV2, EventSummary } from '../../orchestration/contracts/content-v2.ts';
import type { z } from 'zod';
import { fromJsonText, toJsonText } from '../../platform/database/index.ts';
import { ContentErrors, toContent, type ContentDB, type ContentsTable } from './models.ts';
import {
  structureRow,
  toStructure,
  withDerived,
  type Correctable,
  type StructureTable,
} from './structure-row.ts';

type Event = z.infer<typeof EventSummary>;
type Joined = SelectQueryBuilder<ContentDB, 'contents' | 'structure', ContentsTable>;
export type StructurePatchInput = Partial<
  Record<Exclude<Correctable, 'final_table'>, string | number | null> & { final_table: boolean }
>;

const withStructure = (c: ContentsTable, s: StructureTable): ContentV2 => ({
  ...toContent(c),
  structure: toStructure(s),
});

export class Archive {
  constructor(private readonly db: Kysely<ContentDB>) {}

  /** Derives (or re-derives) an item's row; fields an admin corrected are kept. */
  async place(item: { id: string; media_path: string; catalog_id: string }): Promise<void> {
    const kept = await this.row(item.id);
    const row = structureRow(item, kept);
    if (kept)
      await this.db.updateTable('structure').set(row).where('content_id', '=', item.id).execute();
    else await this.db.insertInto('structure').values(row).execute();
  }

  async get(id: string): Promise<ContentV2 | null> {
    const [item] = await this.items((q) => q.where('contents.id', '=', id));
    return item ?? null;
  }

  /** Events newest first (by year, then name), of one catalog when given. */
  async events(input: { catalog_id?: string; limit: number; offset: number }) {
    const base = this.db
      .selectFrom('structure')
      .innerJoin('contents', 'contents.id', 'structure.content_id')
      .where('structure.event_id', 'is not', null)
      .$if(input.catalog_id !== undefined, (q) =>
        q.where('structure.catalog_id', '=', input.catalog_id!),
      );
    const rows = await base
      .select((eb) => [
        'structure.event_id as id',
        eb.fn.min('structure.event').as('name'),
        eb.fn.min('structure.catalog_id').as('catalog_id'),
        eb.fn.min('contents.catalog').as('catalog'),
        eb.fn.min('structure.season').as('season'),
        eb.fn.max('structure.year').as('year'),
        eb.fn.max('structure.buy_in').as('buy_in'),
        eb.fn.countAll<number>().as('episode_count'),
        eb.fn.sum<number>('contents.duration_seconds').as('duration_seconds'),
      ])
      .groupBy('structure.event_id')
      .orderBy('year', (o) => o.desc().nullsLast())
      .orderBy('name')
      .orderBy('structure.event_id')
      .limit(input.limit)
      .offset(input.offset)
      .execute();
    const { n } = await base
      .select((eb) => eb.fn.count<number>('structure.event_id').distinct().as('n'))
      .executeTakeFirstOrThrow();
    return {
      items: rows.map(toEvent),
      total: Number(n),
      limit: input.limit,
      offset: input.offset,
    };
  }

  /** An event with its episodes in broadcast order; null when no item has that event. */
  async event(eventId: string): Promise<{ event: Event; episodes: ContentV2[] } | null> {
    const episodes = await this.items((q) =>
      q
        .where('structure.event_id', '=', eventId)
        .orderBy('structure.episode_order')
        .orderBy('contents.id'),
    );
    const first = episodes[0];
    if (!first) return null;
    const s = first.structure;
    return {
      event: {
        id: eventId,
        name: s.event ?? '',
        catalog_id: s.catalog_id,
        catalog: first.catalog,
        season: s.season,
        year: Math.max(...episodes.map((e) => e.structure.year ?? -Infinity)) || null,
        buy_in: episodes.find((e) => e.structure.buy_in !== null)?.structure.buy_in ?? null,
        episode_count: episodes.length,
        duration_seconds: episodes.reduce((t, e) => t + (e.duration_seconds ?? 0), 0),
      },
      episodes,
    };
  }

  /** The episode after this one in its event; null at the end, or for an item of no event. */
  async next(id: string): Promise<ContentV2 | null> {
    const row = await this.row(id);
    if (!row?.event_id) return null;
    const [next] = await this.items((q) =>
      q
        .where('structure.event_id', '=', row.event_id)
        .where((eb) =>
          eb.or([
            eb('structure.episode_order', '>', row.episode_order),
            eb.and([
              eb('structure.episode_order', '=', row.episode_order),
              eb('contents.id', '>', id),
            ]),
          ]),
        )
        .orderBy('structure.episode_order')
        .orderBy('contents.id')
        .limit(1),
    );
    return next ?? null;
  }

  /** An admin's correction: the fields are set and remembered as corrected. */
  async correct(id: string, patch: StructurePatchInput): Promise<ContentV2> {
    const [item, row] = await Promise.all([
      this.db.selectFrom('contents').selectAll().where('id', '=', id).executeTakeFirst(),
      this.row(id),
    ]);
    if (!item || !row) throw ContentErrors.notFound(id);
    const fields = Object.keys(patch) as Correctable[];
    const corrected = [...new Set([...fromJsonText(row.corrected), ...fields])].sort();
    const set: StructureTable = { ...row, corrected: toJsonText(corrected) };
    for (const k of fields) {
      const v = patch[k];
      Object.assign(set, { [k]: k === 'final_table' ? (v ? 1 : 0) : v });
    }
    const next = withDerived(set, item.media_path);
    await this.db.updateTable('structure').set(next).where('content_id', '=', id).execute();
    return withStructure(item, next);
  }

  /** Items with their structure; `narrow` adds the conditions and the order. */
  private async items(narrow: (q: Joined) => Joined): Promise<ContentV2[]> {
    const joined = this.db
      .selectFrom('contents')
      .innerJoin('structure', 'structure.content_id', 'contents.id')
      .selectAll('contents');
    const contents = await narrow(joined).execute();
    if (!contents.length) return [];
    const rows = await this.db
      .selectFrom('structure')
      .selectAll()
      .where(
        'content_id',
        'in',
        contents.map((c) => c.id),
      )
      .execute();
    const byId = new Map(rows.map((r) => [r.content_id, r]));
    return contents.map((c) => withStructure(c, byId.get(c.id)!));
  }

  private row(id: string): Promise<StructureTable | undefined> {
    return this.db
      .selectFrom('structure')
      .selectAll()
      .where('content_id', '=', id)
      .executeTakeFirst();
  }
}

const toEvent = (r: {
  id: string | null;
  name: string | null;
  catalog_id: string | null;
  catalog: string | null;
  season: string | null;
  year: number | null;
  buy_in: number | null;
  episode_count: number | string;
  duration_seconds: number | string | null;
}): Event => ({
  id: r.id ?? '',
  name: r.name ?? '',
  catalog_id: r.catalog_id ?? '',
  catalog: r.catalog ?? '',
  season: r.season,
  year: r.year === null ? null : Number(r.year),
  buy_in: r.buy_in === null ? null : Number(r.buy_in),
  episode_count: Number(r.episode_count),
  duration_seconds: Number(r.duration_seconds ?? 0),
});
