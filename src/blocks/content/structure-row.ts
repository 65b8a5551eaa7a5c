/**
 * How an item's structure is stored (table `structure`, one row per item) and read back as
 * content:v2's Structure. An admin's corrections are kept in the row and listed in `corrected`;
 * a rescan re-derives only the fields nobody corrected.
 */
import type { Structure } from '../../orchestration/contracts/content-v2.ts';
import { fromJsonText, toJsonText } from '../../platform/database/index.ts';
import type { StructureTable } from './models.ts';
import { catalogId } from './rules.ts';
import { fileName, orderOf, structureOf } from './structure.ts';

/** The fields a correction may set, as the table names them. */
export type Correctable = Exclude<
  keyof StructureTable,
  'content_id' | 'catalog_id' | 'event_id' | 'episode_order' | 'corrected' | 'parts_total'
>;

/** One event per catalog, season and event name: "wsop~2024~main-event". */
export const eventIdOf = (catalog: string, season: string | null, event: string | null) =>
  event === null ? null : [catalog, catalogId(season ?? '-'), catalogId(event)].join('~');

/**
 * The row of an item, from its media path; `kept` (an earlier row) keeps the fields an admin
 * corrected.
 */
export function structureRow(
  item: { id: string; media_path: string; catalog_id: string },
  kept?: StructureTable,
): StructureTable {
  const s = structureOf(item.media_path);
  const corrected = kept ? fromJsonText(kept.corrected) : [];
  const row: StructureTable = {
    content_id: item.id,
    catalog_id: item.catalog_id,
    season: s.season,
    year: s.year,
    event: s.event,
    event_id: null,
    buy_in: s.buy_in,
    day: s.day,
    flight: s.flight,
    episode_number: s.episode_number,
    part: s.part,
    parts_total: s.parts_total,
    final_table: s.final_table ? 1 : 0,
    episode_order: s.order,
    corrected: toJsonText(corrected),
  };
  for (const k of corrected as Correctable[]) if (kept) Object.assign(row, { [k]: kept[k] });
  return withDerived(row, item.media_path);
}

/** The columns computed from others: the event id, and the order from the number fields. */
export function withDerived(row: StructureTable, mediaPath: string): StructureTable {
  const fields = { ...row, final_table: row.final_table === 1 };
  return {
    ...row,
    event_id: eventIdOf(row.catalog_id, row.season, row.event),
    episode_order: orderOf(fields, fileName(mediaPath)),
  };
}

export const toStructure = (r: StructureTable): Structure => ({
  catalog_id: r.catalog_id,
  season: r.season,
  year: r.year,
  event_id: r.event_id,
  event: r.event,
  buy_in: r.buy_in === null ? null : Number(r.buy_in),
  day: r.day,
  flight: r.flight,
  episode_number: r.episode_number,
  part: r.part,
  parts_total: r.parts_total,
  final_table: r.final_table === 1,
  order: r.episode_order,
  corrected: fromJsonText(r.corrected),
});

export type { StructureTable };
