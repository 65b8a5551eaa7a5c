/**
 * The worker block's job kinds, its file constants and the error codes of its jobs; the queue's own
 * are in src/platform/queue.
 */
import type { z } from 'zod';
import { BlockError } from '../../orchestration/index.ts';
import type { JobType } from '../../orchestration/contracts/worker.ts';
import type { Job as QueueJob } from '../../platform/queue/index.ts';

export type JobKind = z.output<typeof JobType>;
/** A job of the platform's queue (src/platform/queue), with the worker's kinds. */
export type Job = QueueJob<JobKind>;

/** Files being written are `<final name>.<uuid>.tmp`; cleanup removes those older than an hour. */
export const [TEMP_SUFFIX, TEMP_MAX_AGE_MS, THUMBNAIL_WIDTH] = ['.tmp', 3600_000, 480] as const;

const error = (code: string, message: string, status = 400, retryable = false) =>
  new BlockError(code, message, { status, retryable });
export const WorkerErrors = {
  badPayload: (type: string, why: string) =>
    error('INVALID_JOB_PAYLOAD', `invalid payload for a ${type} job: ${why}`),
  ffmpegMissing: (program: string, path: string, env: string) =>
    error(
      'FFMPEG_MISSING',
      `${program} is not installed or not executable at "${path}" (install the ffmpeg package or set ${env})`,
      503,
    ),
  media: (why: string) => error('MEDIA_FAILED', why, 500, true),
  contentGone: (id: string) =>
    error('CONTENT_NOT_FOUND', `content ${id} does not exist (deleted?)`, 404),
  thumbnailNotFound: () => error('THUMBNAIL_NOT_FOUND', 'no thumbnail for this content', 404),
} as const;
