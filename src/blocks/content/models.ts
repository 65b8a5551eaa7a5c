/**
 * The content block's types, its table shapes and how a row becomes an item, its limits and
 * every error code it raises, in one place.
 */
import type { z } from 'zod';
import { BlockError, type BlockClient } from '../../orchestration/index.ts';
import type {
  Content,
  ContentPatch,
  NewContent,
  Progress,
} from '../../orchestration/contracts/content.ts';
import { fromJsonText, toIsoString, type JsonText } from '../../platform/database/index.ts';

export type ContentItem = z.output<typeof Content>;
export type NewContentInput = z.output<typeof NewContent>;
export type ContentPatchInput = z.output<typeof ContentPatch>;
export type ProgressItem = z.output<typeof Progress>;
/** An item of "continue watching": the item with the caller's progress. */
export type WatchedItem = ContentItem & { progress: ProgressItem };

/**
 * Whom a change is announced through: the caller's client, so the event carries the caller's
 * correlation id. A failed publish is logged and never undoes the write.
 */
export type Via = Pick<BlockClient, 'publishOrLog'>;

export interface ContentsTable {
  id: string;
  title: string;
  /** Lower-cased copies, so LIKE is case-insensitive the same way on SQLite and PostgreSQL. */
  title_lc: string;
  description: string;
  description_lc: string;
  catalog: string;
  catalog_id: string;
  duration_seconds: number | null;
  file_size: number | null;
  media_path: string;
  thumbnail_url: string | null;
  added_at: number;
  updated_at: number;
  metadata: JsonText<Record<string, unknown>>;
}

export interface ProgressTable {
  user_id: string;
  content_id: string;
  position_seconds: number;
  duration_seconds: number;
  /** 0–100. */
  percent: number;
  /** 0/1, see isFinished(). */
  finished: number;
  updated_at: number;
}

export type PlaysTable = { content_id: string; user_id: string; played_at: number };

/** Where an item sits in the archive (content:v2); see structure-row.ts. */
export interface StructureTable {
  content_id: string;
  catalog_id: string;
  season: string | null;
  year: number | null;
  event: string | null;
  event_id: string | null;
  buy_in: number | null;
  day: number | null;
  flight: string | null;
  episode_number: number | null;
  part: number | null;
  parts_total: number | null;
  /** 0/1. */
  final_table: number;
  episode_order: string;
  corrected: JsonText<string[]>;
}

export interface MyListTable {
  user_id: string;
  content_id: string;
  added_at: number;
}

export interface ViewerSettingsTable {
  user_id: string;
  /** 0/1: play the next episode when one ends. */
  autoplay: number;
  /** 'ko' or 'en'; null: follow the browser. */
  language: string | null;
  updated_at: number;
}

export interface ContentDB {
  structure: StructureTable;
  my_list: MyListTable;
  viewer_settings: ViewerSettingsTable;
  contents: ContentsTable;
  progress: ProgressTable;
  plays: PlaysTable;
}

export const toContent = (r: ContentsTable): ContentItem => ({
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

export const toProgress = (r: ProgressTable): ProgressItem => ({
  user_id: r.user_id,
  content_id: r.content_id,
  position_seconds: r.position_seconds,
  duration_seconds: r.duration_seconds,
  percent: r.percent,
  finished: r.finished === 1,
  updated_at: toIsoString(r.updated_at),
});

/** The thresholds of isFinished() (rules.ts); finished items leave "continue watching". */
export const FINISHED_PERCENT = 95;
export const FINISHED_REMAINING_S = 30;
export const TRENDING_WINDOW_MS = 24 * 3600_000;
export const ROW_SIZE = {
  continue_watching: 10,
  trending: 10,
  new_releases: 20,
  catalog: 20,
} as const;
/** How long the shared part of /api/home is reused; content changes clear it at once. */
export const HOME_CACHE_MS = 30_000;
export const MAX_METADATA_BYTES = 16_384;

export const ContentErrors = {
  notFound: (id: string) =>
    new BlockError('CONTENT_NOT_FOUND', `no content with id ${JSON.stringify(id)}`, {
      status: 404,
    }),
  eventNotFound: (id: string) =>
    new BlockError('EVENT_NOT_FOUND', `no event with id ${JSON.stringify(id)}`, { status: 404 }),
  exists: (mediaPath: string, id: string) =>
    new BlockError(
      'CONTENT_EXISTS',
      `an item with media_path ${JSON.stringify(mediaPath)} already exists`,
      { status: 409, details: { content_id: id } },
    ),
  badPath: (why: string) =>
    new BlockError(
      'INVALID_MEDIA_PATH',
      `media_path must be relative to the library root: ${why}`,
      { status: 400 },
    ),
  badThumbnail: () =>
    new BlockError(
      'INVALID_THUMBNAIL_URL',
      'thumbnail_url must be an http(s) URL or a path starting with /',
      { status: 400 },
    ),
  metadataTooLarge: () =>
    new BlockError(
      'METADATA_TOO_LARGE',
      `metadata must be at most ${MAX_METADATA_BYTES} bytes of JSON`,
      { status: 400 },
    ),
  blank: () =>
    new BlockError('VALIDATION_FAILED', 'title and catalog must not be blank', { status: 400 }),
  emptyQuery: () => new BlockError('INVALID_QUERY', 'the search text is empty', { status: 400 }),
} as const;
