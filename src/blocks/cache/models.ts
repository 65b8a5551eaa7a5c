/** The cache block's types and error codes (docs/blocks/04-cache.md). */
import type { z } from 'zod';
import { BlockError, type SlotDecision } from '../../orchestration/index.ts';

export type Decision = z.infer<typeof SlotDecision>;

export const CacheCodes = {
  /** content:v1 says there is no such item (404). */
  CONTENT_NOT_FOUND: 'CONTENT_NOT_FOUND',
  /** The media file is missing or the library cannot be read (503, retryable). */
  FILE_UNAVAILABLE: 'FILE_UNAVAILABLE',
  /** content:v1 could not answer, so the media path is unknown (503, retryable). */
  CONTENT_UNAVAILABLE: 'CONTENT_UNAVAILABLE',
  /** warm_content while the SSD directory is unusable (503, retryable). */
  SSD_UNAVAILABLE: 'SSD_UNAVAILABLE',
} as const;

export const notFound = (id: string) =>
  new BlockError(CacheCodes.CONTENT_NOT_FOUND, `no content ${id}`, { status: 404 });
export const unavailable = (
  code: 'FILE_UNAVAILABLE' | 'CONTENT_UNAVAILABLE' | 'SSD_UNAVAILABLE',
  message: string,
  cause?: unknown,
) => new BlockError(CacheCodes[code], message, { status: 503, retryable: true, cause });

/** How long content's answer "content X lives at path P" is kept in L1/L2. */
export const PATH_TTL_S = 60;
/**
 * With L2 present, L1 keeps an entry at most this long, bounding staleness when an invalidation
 * event is lost.
 */
export const L1_MAX_TTL_MS = 60_000;
/** The SSD is kept at or under this share of its capacity. */
export const SSD_HIGH_WATER = 0.95;

export type Counter = { hits: number; misses: number };
export type TierName = 'memory' | 'redis' | 'ssd' | 'nas';
