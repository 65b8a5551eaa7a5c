/**
 * The generic pieces of a durable job queue: statuses, priorities, attempts and backoff, which
 * failures are permanent, and the job's shape. Nothing here knows a job kind: a block that uses
 * the queue names its own kinds (`Job<'probe' | 'thumbnail'>`).
 */
import { BlockError } from '../errors.ts';

export type Priority = 'urgent' | 'high' | 'normal' | 'low';
export type Status = 'pending' | 'processing' | 'completed' | 'failed' | 'retrying';

/**
 * A job as stored and answered (timestamps ISO-8601). `K`: the job kinds of the block using the
 * queue.
 */
export interface Job<K extends string = string> {
  id: string;
  type: K;
  priority: Priority;
  status: Status;
  payload: Record<string, unknown>;
  attempts: number;
  max_attempts: number;
  progress: number;
  result: unknown;
  error: string | null;
  created_at: string;
  updated_at: string;
  run_at: string;
}
/**
 * `id`: a caller-chosen id makes the add idempotent; a second add with it returns the first job.
 */
export interface NewJob<K extends string = string> {
  type: K;
  payload: Record<string, unknown>;
  priority: Priority;
  id?: string;
}

/** Index = rank: urgent runs first. BullMQ's priority is rank + 1 (0 would mean "no priority"). */
export const PRIORITIES: readonly Priority[] = ['urgent', 'high', 'normal', 'low'];
export const STATUSES: readonly Status[] = [
  'pending',
  'processing',
  'completed',
  'failed',
  'retrying',
];
/** One first attempt and 3 retries. */
export const MAX_ATTEMPTS = 4;
/** Retry n (1-based) waits base · 4^(n-1): 1 s, 4 s, 16 s with the default base. */
export const backoffMs = (base: number, attempt: number): number => base * 4 ** (attempt - 1);

/**
 * timeoutMs: per attempt, over it the attempt fails with JOB_TIMEOUT. leaseMs: a claimed job whose
 * owner stops renewing its lease (process killed) is claimed again after it. pollMs (SQL queue):
 * how often an idle worker looks for jobs enqueued by other processes.
 */
export interface QueueSettings {
  concurrency: number;
  timeoutMs: number;
  backoffBaseMs: number;
  leaseMs: number;
  pollMs: number;
}

const error = (code: string, message: string, status: number, retryable = false) =>
  new BlockError(code, message, { status, retryable });
export const QueueErrors = {
  notFound: (id: string) => error('JOB_NOT_FOUND', `no job with id ${JSON.stringify(id)}`, 404),
  notRetryable: (id: string, status: string) =>
    error('JOB_NOT_RETRYABLE', `job ${id} is ${status}; only failed jobs can be retried`, 409),
  timeout: (ms: number) =>
    error('JOB_TIMEOUT', `the job took longer than its limit of ${ms} ms`, 500, true),
  shutdown: () => error('SHUTTING_DOWN', 'the worker stopped while the job ran', 503, true),
  leaseLost: () =>
    error(
      'LEASE_EXPIRED',
      'the worker holding the job stopped renewing its lease (process killed?) and no attempts are left',
      500,
    ),
} as const;

/** Failures that another attempt cannot fix: the job fails at once instead of retrying. */
const PERMANENT = new Set([
  'FFMPEG_MISSING',
  'INVALID_JOB_PAYLOAD',
  'CONTENT_NOT_FOUND',
  'PATH_OUTSIDE_ROOT',
  'LEASE_EXPIRED',
  'TOO_LARGE_FOR_SSD',
]);
export const isPermanent = (err: unknown): boolean =>
  PERMANENT.has((err as { code?: string } | null)?.code ?? '');
/** What a failed attempt leaves in `job.error`: the code first, so admins can search for it. */
export function errorText(err: unknown): string {
  const { code, message = String(err) } = (err ?? {}) as { code?: string; message?: string };
  return (code && !message.startsWith(code) ? `${code}: ` : '') + message.slice(0, 2000);
}
