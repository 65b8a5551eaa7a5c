import { z } from 'zod';
import { defineContract } from './define.ts';
import { Id, IsoDate } from './common.ts';

export const PlaybackSession = z.object({
  session_id: Id,
  user_id: Id,
  content_id: Id,
  tier: z.enum(['ssd', 'nas']),
  started_at: IsoDate,
  bytes_sent: z.number(),
  /** When the session last asked for bytes or finished sending them. */
  last_active_at: IsoDate.optional(),
});

export const streamV1 = defineContract('stream', 'v1', {
  actions: {
    get_active_streams: {
      input: z.object({}),
      output: z.array(PlaybackSession),
      description:
        'The playback sessions (one viewer playing one video) of the stream instance that answers, for the admin dashboard.',
    },
  },
  events: {
    stream_started: z.object({
      session_id: Id,
      user_id: Id,
      content_id: Id,
      tier: z.enum(['ssd', 'nas']),
    }),
    stream_stopped: z.object({
      session_id: Id,
      user_id: Id,
      content_id: Id,
      duration_ms: z.number(),
      bytes_sent: z.number(),
    }),
    stream_error: z.object({
      content_id: Id,
      user_id: Id.nullable(),
      code: z.string(),
      message: z.string(),
    }),
  },
});
