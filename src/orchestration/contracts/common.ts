/** Small schema pieces shared by several contracts. */
import { z } from 'zod';

export const Id = z.string().min(1).max(64);
export const IsoDate = z.string().max(40);
export const Paging = { limit: z.number().int().min(1).max(100).default(20), offset: z.number().int().min(0).default(0) };
export const Empty = z.object({});
export const Ok = z.object({ ok: z.literal(true) });
