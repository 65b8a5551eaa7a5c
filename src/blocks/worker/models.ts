/** The worker block's types, its queue settings and every error code it raises, in one place. */
import type { z } from 'zod';
import { BlockError } from '../../orchestration/index.ts';
import type { Job as JobSchema, JobPriority, JobStatus, JobType } from '../../orchestration/contracts/worker.ts';

export type Job = z.output<typeof JobSchema>;
export type JobKind = z.output<typeof JobType>;
export type Priority = z.output<typeof JobPriority>;
export type Status = z.output<typeof JobStatus>;

/** Index = rank: urgent runs first. BullMQ's priority is rank + 1 (0 would mean "no priority"). */
export const PRIORITIES: readonly Priority[] = ['urgent', 'high', 'normal', 'low'];
export const STATUSES: readonly Status[] = ['pending', 'processing', 'completed', 'failed', 'retrying'];
/** One first attempt and 3 retries. */
export const MAX_ATTEMPTS = 4;
/** Retry n (1-based) waits base · 4^(n-1): 1 s, 4 s, 16 s with the default base. */
export const backoffMs = (base: number, attempt: number): number => base * 4 ** (attempt - 1);
/** Files being written are `<final name>.<uuid>.tmp`; cleanup removes those older than an hour. */
export const [TEMP_SUFFIX, TEMP_MAX_AGE_MS, THUMBNAIL_WIDTH] = ['.tmp', 3600_000, 480] as const;

/**
 * timeoutMs: per attempt, over it the attempt fails with JOB_TIMEOUT. leaseMs: a claimed job whose
 * owner stops renewing its lease (process killed) is claimed again after it. pollMs (SQL queue):
 * how often an idle worker looks for jobs enqueued by other processes.
 */
export interface QueueSettings { concurrency: number; timeoutMs: number; backoffBaseMs: number; leaseMs: number; pollMs: number }

const error = (code: string, message: string, status = 400, retryable = false) => new BlockError(code, message, { status, retryable });
export const WorkerErrors = {
  notFound: (id: string) => error('JOB_NOT_FOUND', `no job with id ${JSON.stringify(id)}`, 404),
  notRetryable: (id: string, status: string) => error('JOB_NOT_RETRYABLE', `job ${id} is ${status}; only failed jobs can be retried`, 409),
  badPayload: (type: string, why: string) => error('INVALID_JOB_PAYLOAD', `invalid payload for a ${type} job: ${why}`),
  timeout: (ms: number) => error('JOB_TIMEOUT', `the job took longer than its limit of ${ms} ms`, 500, true),
  shutdown: () => error('SHUTTING_DOWN', 'the worker stopped while the job ran', 503, true),
  leaseLost: () => error('LEASE_EXPIRED', 'the worker holding the job stopped renewing its lease (process killed?) and no attempts are left', 500),
  ffmpegMissing: (program: string, path: string, env: string) =>
    error('FFMPEG_MISSING', `${program} is not installed or not executable at "${path}" (install the ffmpeg package or set ${env})`, 503),
  media: (why: string) => error('MEDIA_FAILED', why, 500, true),
  contentGone: (id: string) => error('CONTENT_NOT_FOUND', `content ${id} does not exist (deleted?)`, 404),
  thumbnailNotFound: () => error('THUMBNAIL_NOT_FOUND', 'no thumbnail for this content', 404),
} as const;

/** Failures that another attempt cannot fix: the job fails at once instead of retrying. */
const PERMANENT = new Set(['FFMPEG_MISSING', 'INVALID_JOB_PAYLOAD', 'CONTENT_NOT_FOUND', 'PATH_OUTSIDE_ROOT', 'LEASE_EXPIRED']);
export const isPermanent = (err: unknown): boolean => PERMANENT.has((err as { code?: string } | null)?.code ?? '');
/** What a failed attempt leaves in `job.error`: the code first, so admins can search for it. */
export function errorText(err: unknown): string {
  const { code, message = String(err) } = (err ?? {}) as { code?: string; message?: string };
  return (code && !message.startsWith(code) ? `${code}: ` : '') + message.slice(0, 2000);
}
