/**
 * content:v2: the archive as its viewers know it (catalog → season or year → event → episode),
 * served by the content block beside content:v1. v1 is frozen: its actions, fields and events
 * stay exactly as they were, so every v1 caller keeps working; what is new lives here only. v2
 * declares no events of its own: content's events keep their one owner, content:v1.
 */
import { z } from 'zod';
import { defineContract } from './define.ts';
import { Id, Paging } from './common.ts';
import { Content, Progress } from './content.ts';

/** Where an item sits in the archive, as the library scan read it (and an admin corrected it). */
export const Structure = z.object({
  catalog_id: z.string(),
  season: z.string().nullable(),
  year: z.number().int().nullable(),
  /** Stable id of the item's event; null for an item that belongs to no event. */
  event_id: z.string().nullable(),
  event: z.string().nullable(),
  /** Dollars. */
  buy_in: z.number().int().nullable(),
  day: z.number().int().nullable(),
  /** The flight letter of a day ("Day 1B" → "B"). */
  flight: z.string().nullable(),
  episode_number: z.number().int().nullable(),
  part: z.number().int().nullable(),
  parts_total: z.number().int().nullable(),
  final_table: z.boolean(),
  /** Sorts the episodes of one event in broadcast order (plain string comparison). */
  order: z.string(),
  /** The fields an admin corrected: a later scan leaves them alone. */
  corrected: z.array(z.string()),
});
export type Structure = z.infer<typeof Structure>;

/** A v1 item with its place in the archive. */
export const ContentV2 = Content.extend({ structure: Structure });
export type ContentV2 = z.infer<typeof ContentV2>;

export const EventSummary = z.object({
  id: z.string(),
  name: z.string(),
  catalog_id: z.string(),
  catalog: z.string(),
  season: z.string().nullable(),
  year: z.number().int().nullable(),
  buy_in: z.number().int().nullable(),
  episode_count: z.number().int(),
  /** The sum of the known durations of its episodes. */
  duration_seconds: z.number(),
});
export type EventSummary = z.infer<typeof EventSummary>;

/** The fields an admin may correct; null clears one. */
export const StructurePatch = z
  .object({
    season: z.string().trim().min(1).max(100).nullable(),
    year: z.number().int().min(1900).max(2100).nullable(),
    event: z.string().trim().min(1).max(200).nullable(),
    buy_in: z.number().int().min(0).nullable(),
    day: z.number().int().min(0).max(99).nullable(),
    flight: z
      .string()
      .regex(/^[A-Z]$/)
      .nullable(),
    episode_number: z.number().int().min(0).max(9999).nullable(),
    part: z.number().int().min(0).max(99).nullable(),
    final_table: z.boolean(),
  })
  .partial()
  .strict();

export const ViewerSettings = z.object({
  /** Play the next episode of the event when one ends (after a 10 s countdown). */
  autoplay: z.boolean(),
  /** The language of the app; null follows the browser. */
  language: z.enum(['ko', 'en']).nullable(),
});

const page = <T extends z.ZodType>(item: T) =>
  z.object({
    items: z.array(item),
    total: z.number().int(),
    limit: z.number().int(),
    offset: z.number().int(),
  });
const Viewer = { user_id: Id };
const ViewerItem = { user_id: Id, content_id: Id };
const OnList = z.object({ content_id: Id, on_list: z.boolean() });

export const contentV2 = defineContract('content', 'v2', {
  actions: {
    get_content: { input: z.object({ content_id: Id }), output: ContentV2.nullable() },
    list_events: {
      input: z.object({ catalog_id: z.string().max(100).optional(), ...Paging }),
      output: z.object({
        items: z.array(EventSummary),
        total: z.number().int(),
        limit: z.number().int(),
        offset: z.number().int(),
      }),
      description: 'Events newest first (by year, then name); of one catalog when given.',
    },
    get_event: {
      input: z.object({ event_id: z.string().min(1).max(300) }),
      output: z.object({ event: EventSummary, episodes: z.array(ContentV2) }).nullable(),
      description: 'An event with its episodes in broadcast order (Day 1 < Day 1B < Day 2 …).',
    },
    next_episode: {
      input: z.object({ content_id: Id }),
      output: ContentV2.nullable(),
      description: 'The episode after this one in its event; null at the end or with no event.',
    },
    correct_structure: {
      input: z.object({ content_id: Id, patch: StructurePatch }),
      output: ContentV2,
      description: 'An admin correction of the parsed fields; a later scan keeps it.',
    },
    get_history: {
      input: z.object({ ...Viewer, ...Paging }),
      output: page(Content.extend({ progress: Progress })),
      description: "The viewer's watch history, most recently watched first.",
    },
    remove_from_history: {
      input: z.object(ViewerItem),
      output: z.object({ removed: z.boolean() }),
      description: 'Forgets the item in the history, and with it the saved position.',
    },
    set_watched: {
      input: z.object({ ...ViewerItem, watched: z.boolean() }),
      output: z.object({ content_id: Id, watched: z.boolean() }),
    },
    set_event_watched: {
      input: z.object({ ...Viewer, event_id: z.string().min(1).max(300), watched: z.boolean() }),
      output: z
        .object({ event_id: z.string(), watched: z.boolean(), episodes: z.number().int() })
        .nullable(),
      description: 'Marks every episode of an event; null when there is no such event.',
    },
    get_my_list: { input: z.object({ ...Viewer, ...Paging }), output: page(Content) },
    add_to_list: { input: z.object(ViewerItem), output: OnList },
    remove_from_list: { input: z.object(ViewerItem), output: OnList },
    get_viewer_settings: { input: z.object(Viewer), output: ViewerSettings },
    update_viewer_settings: {
      input: z.object({ ...Viewer, patch: ViewerSettings.partial().strict() }),
      output: ViewerSettings,
    },
  },
});
