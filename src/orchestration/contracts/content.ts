import { z } from 'zod';
import { defineContract } from './define.ts';
import { Id, IsoDate, Paging, ContentSummary } from './common.ts';

export const Content = z.object({
  id: Id,
  title: z.string(),
  description: z.string(),
  catalog: z.string(),
  duration_seconds: z.number().nullable(),
  file_size: z.number().int().nullable(),
  /** Relative to the library root; never an absolute path. */
  media_path: z.string(),
  thumbnail_url: z.string().nullable(),
  added_at: IsoDate,
  metadata: z.record(z.string(), z.unknown()),
});
export type Content = z.infer<typeof Content>;

export const Catalog = z.object({
  id: z.string(),
  name: z.string(),
  content_count: z.number().int(),
});

export const Progress = z.object({
  user_id: Id,
  content_id: Id,
  position_seconds: z.number(),
  duration_seconds: z.number(),
  /** 0–100. */
  percent: z.number(),
  /** ≥ 95 % watched, or ≤ 30 s left once more than half is watched. */
  finished: z.boolean().optional(),
  updated_at: IsoDate,
});

/** The writable fields, without defaults: a patch must touch only the fields it names. */
const ContentFields = z.object({
  title: z.string().min(1).max(300),
  description: z.string().max(5000),
  catalog: z.string().min(1).max(100),
  /**
   * Relative to the library root: no leading /, no drive letter, no `..`, `.` or empty segment, no
   * backslash or NUL.
   */
  media_path: z.string().min(1).max(1000),
  file_size: z.number().int().min(0).nullable().optional(),
  duration_seconds: z.number().min(0).nullable().optional(),
  /** An absolute http(s) URL or a path on this site (`/…`). */
  thumbnail_url: z.string().max(1000).nullable().optional(),
  metadata: z.record(z.string(), z.unknown()).optional(),
});

export const NewContent = ContentFields.extend({
  description: ContentFields.shape.description.default(''),
});
/**
 * Not `NewContent.partial()`: zod 4 still applies `.default('')` inside `.partial()`, so every
 * patch would have blanked the description.
 */
export const ContentPatch = ContentFields.partial();

/** What a search index needs to know about an item (shared with search's documents). */
const IndexFields = ContentSummary;

export const contentV1 = defineContract('content', 'v1', {
  actions: {
    get_content: { input: z.object({ content_id: Id }), output: Content.nullable() },
    list_contents: {
      input: z.object({ catalog: z.string().max(100).optional(), ...Paging }),
      output: z.object({
        items: z.array(Content),
        total: z.number().int(),
        limit: z.number().int(),
        offset: z.number().int(),
      }),
    },
    get_catalogs: { input: z.object({}), output: z.array(Catalog) },
    create_content: {
      input: NewContent,
      output: Content,
      description:
        'Idempotent on media_path: when an item with that path exists it is returned unchanged (no event).',
    },
    update_content: { input: z.object({ content_id: Id, patch: ContentPatch }), output: Content },
    delete_content: {
      input: z.object({ content_id: Id }),
      output: z.object({ deleted: z.boolean() }),
      description: 'Idempotent: deleted=false when no such item.',
    },
    content_exists_by_path: {
      input: z.object({ media_path: z.string().min(1).max(1000) }),
      output: z.object({ exists: z.boolean(), content_id: Id.nullable() }),
    },
    update_progress: {
      input: z.object({
        user_id: Id,
        content_id: Id,
        position_seconds: z.number().min(0),
        duration_seconds: z.number().min(0),
      }),
      output: Progress,
    },
    get_user_progress: {
      input: z.object({ user_id: Id, content_id: Id.optional() }),
      output: z.array(Progress),
    },
    record_play: {
      input: z.object({ user_id: Id, content_id: Id }),
      output: z.object({ plays_last_24h: z.number().int() }),
    },
    find_by_text: {
      input: z.object({
        query: z.string().min(1).max(200),
        catalog: z.string().max(100).optional(),
        min_duration: z.number().min(0).optional(),
        max_duration: z.number().min(0).optional(),
        ...Paging,
      }),
      output: z.object({
        results: z.array(z.object({ content: Content, score: z.number() })),
        total: z.number().int(),
      }),
      description: 'Plain SQL LIKE search; the orchestrator uses it when the search block is down.',
    },
  },
  events: {
    content_added: IndexFields,
    content_updated: IndexFields,
    content_deleted: z.object({ content_id: Id, media_path: z.string() }),
    progress_updated: z.object({
      user_id: Id,
      content_id: Id,
      position_seconds: z.number(),
      percent: z.number(),
    }),
  },
});
