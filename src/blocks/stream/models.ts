/** The stream block's types, limits and every error code it raises, in one place. */
import type { z } from 'zod';
import { AccountCodes, BlockError, type SlotDecision } from '../../orchestration/index.ts';

export type Tier = 'ssd' | 'nas';
export type Decision = z.infer<typeof SlotDecision>;

/** Where a content item's bytes are, as cache:v1 get_stream_path answers (or the NAS fallback). */
export type MediaFile = { content_id: string; path: string; tier: Tier; size: number };

/**
 * Who is asking to play what: from a media token, or from a bearer token and the URL.
 * `session_id` is the playback session (one viewer playing one video); `media_token`: it came
 * with a signed media URL, whose auth session is checked when the playback starts.
 */
export type Viewer = {
  user_id: string;
  auth_session_id: string;
  content_id: string;
  session_id: string;
  media_token: boolean;
};

/** One playback session of this process (times in epoch ms). */
export type Playback = Viewer & {
  file: MediaFile;
  started_at: number;
  last_active: number;
  last_touch: number;
  bytes_sent: number;
};

/** Read size of file streams: Node's file serving speed is dominated by it (PITFALLS). */
export const READ_CHUNK = 1024 * 1024;
/** Cache calls on the playback path give up quickly and fall back ("start under 2 s"). */
export const CACHE_TIMEOUT_MS = 1500;
/** A refused session keeps its place in the local queue this long after its last try. */
export const QUEUE_HOLD_MS = 30_000;
export const RETRY_AFTER_S = 5;
export const MEDIA_TYPE = 'video/mp4';

export const StreamErrors = {
  noToken: () =>
    new BlockError('UNAUTHORIZED', 'sign in first: send a bearer token or use a signed media URL', {
      status: 401,
    }),
  badMediaToken: (why: string) =>
    new BlockError(
      'INVALID_MEDIA_TOKEN',
      `the media URL ${why}; ask for a new one at /api/stream/<id>/info`,
      { status: 401 },
    ),
  revoked: () =>
    new BlockError(
      'SESSION_REVOKED',
      'you signed out or your session was revoked: sign in again to play',
      { status: 401 },
    ),
  inactive: (status: keyof typeof AccountCodes) =>
    new BlockError(
      AccountCodes[status],
      `your account is ${status.replace('_', ' ')}: it cannot play videos`,
      { status: 403 },
    ),
  notFound: (id: string) =>
    new BlockError('CONTENT_NOT_FOUND', `no content with id ${JSON.stringify(id)}`, {
      status: 404,
    }),
  /** A file-system error while opening or locating a file. */
  io: (err: NodeJS.ErrnoException): BlockError =>
    StreamErrors.unavailable(
      err.code === 'ENOENT' ? 'the file is missing from the library' : (err.code ?? err.message),
    ),
  unavailable: (message: string) =>
    new BlockError(
      'FILE_UNAVAILABLE',
      `the video cannot be read right now (${message}); please try again shortly`,
      { status: 503, retryable: true },
    ),
  slotRefused: (d: Decision) =>
    new BlockError(
      'STREAM_LIMIT',
      d.reason === 'user_limit'
        ? `you are already playing ${d.active_for_user} video(s), the most allowed per user (${d.limit}); stop one to start another (queue position ${d.queue_position ?? 1})`
        : `all ${d.limit ?? d.active_total} playback slots of the service are in use (global limit); you are number ${d.queue_position ?? 1} in the queue, please retry shortly`,
      {
        status: 429,
        retryable: true,
        details: {
          reason: d.reason,
          limit: d.limit,
          queue_position: d.queue_position,
          active_for_user: d.active_for_user,
          active_total: d.active_total,
        },
      },
    ),
} as const;
