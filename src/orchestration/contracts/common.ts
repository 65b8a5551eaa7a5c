/** Small schema pieces shared by several contracts. */
import { z } from 'zod';

// No control characters: an id ends up in file names, log lines and SQL parameters (PostgreSQL
// refuses NUL).
export const Id = z
  .string()
  .min(1)
  .max(64)
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  .regex(/^[^\u0000-\u001f\u007f]+$/, 'must not contain control characters');
export const IsoDate = z.string().max(40);
export const Paging = {
  limit: z.number().int().min(1).max(100).default(20),
  offset: z.number().int().min(0).default(0),
};
export const Empty = z.object({});
export const Ok = z.object({ ok: z.literal(true) });

/** What a search index keeps of a content item; content's events carry exactly this. */
export const ContentSummary = z.object({
  content_id: Id,
  title: z.string(),
  description: z.string(),
  catalog: z.string(),
  duration_seconds: z.number().nullable(),
  thumbnail_url: z.string().nullable(),
  added_at: IsoDate,
});
