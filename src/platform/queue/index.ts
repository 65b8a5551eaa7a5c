/**
 * One job queue interface, two durable implementations chosen by configuration only: a table in the
 * owning block's own database (SQLite or PostgreSQL) and BullMQ on Redis. Both run `run` for each
 * job with `settings.concurrency` at a time, enforce the time limit, retry with backoff and keep
 * finished jobs until `removeFinished`. The shared suite in test/platform/queue.test.ts holds them
 * to it. Nothing here knows a job kind; the worker block names its own.
 */
import { QueueErrors, type Job, type NewJob, type QueueSettings, type Status } from './models.ts';

export * from './models.ts';
export type JobRunner<K extends string = string> = (
  job: Job<K>,
  progress: (percent: number) => Promise<void>,
  signal: AbortSignal,
) => Promise<unknown>;
export type QueueOptions = QueueSettings & { log?: { warn(obj: object, msg: string): void } };

export interface JobQueue<K extends string = string> {
  readonly kind: 'sql' | 'bullmq';
  add(job: NewJob<K>): Promise<Job<K>>;
  get(id: string): Promise<Job<K> | null>;
  list(q: {
    status?: Status;
    limit: number;
    offset: number;
  }): Promise<{ items: Job<K>[]; total: number }>;
  /** A failed job goes back to pending with a fresh set of attempts. */
  retry(id: string): Promise<Job<K>>;
  stats(): Promise<Record<Status, number>>;
  /**
   * Deletes completed and failed jobs that finished more than `olderThanMs` ago; returns how many.
   */
  removeFinished(olderThanMs: number): Promise<number>;
  /** Starts taking jobs. `onFailed` hears of every job that failed for good. */
  start(run: JobRunner<K>, onFailed: (job: Job<K>) => void): void;
  /**
   * Stops taking jobs, interrupts running ones (they count as a failed attempt and run again later)
   * and lets go of the store.
   */
  close(): Promise<void>;
}

/**
 * Runs one attempt under the time limit. The signal aborts on timeout and on shutdown
 * (interruptAll), killing ffmpeg children and copies; the race ends the attempt then even if the
 * job ignores it.
 */
export async function runLimited<K extends string>(
  run: JobRunner<K>,
  job: Job<K>,
  progress: (p: number) => Promise<void>,
  timeoutMs: number,
  running: Set<AbortController>,
): Promise<unknown> {
  const ac = new AbortController();
  const timer = setTimeout(() => ac.abort(QueueErrors.timeout(timeoutMs)), timeoutMs);
  const stopped = new Promise<never>((_, reject) =>
    // The only reasons given to abort() here and in stopAll() are QueueErrors (Errors).
    ac.signal.addEventListener('abort', () => reject(ac.signal.reason as Error), { once: true }),
  );
  running.add(ac);
  return Promise.race([run(job, progress, ac.signal), stopped]).finally(
    () => (clearTimeout(timer), running.delete(ac)),
  );
}

export const interruptAll = (running: Set<AbortController>): void =>
  running.forEach((ac) => ac.abort(QueueErrors.shutdown()));
