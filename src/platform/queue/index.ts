/**
 * One job queue interface, two durable implementations chosen by configuration only: a table in
 * the worker's own database (SQLite or PostgreSQL) and BullMQ on Redis. Both run `run` for each
 * job with `settings.concurrency` at a time, enforce the time limit, retry with backoff and keep
 * finished jobs until `removeFinished`. The shared suite in tests/queue.test.ts holds them to it.
 */
import { WorkerErrors, type Job, type JobKind, type Priority, type QueueSettings, type Status } from '../models.ts';

/** `id`: a caller-chosen id makes the add idempotent; a second add with it returns the first job. */
export interface NewJob { type: JobKind; payload: Record<string, unknown>; priority: Priority; id?: string }
export type JobRunner = (job: Job, progress: (percent: number) => Promise<void>, signal: AbortSignal) => Promise<unknown>;
export type QueueOptions = QueueSettings & { log?: { warn(obj: object, msg: string): void } };

export interface JobQueue {
  readonly kind: 'sql' | 'bullmq';
  add(job: NewJob): Promise<Job>;
  get(id: string): Promise<Job | null>;
  list(q: { status?: Status; limit: number; offset: number }): Promise<{ items: Job[]; total: number }>;
  /** A failed job goes back to pending with a fresh set of attempts. */
  retry(id: string): Promise<Job>;
  stats(): Promise<Record<Status, number>>;
  /** Deletes completed and failed jobs that finished more than `olderThanMs` ago; returns how many. */
  removeFinished(olderThanMs: number): Promise<number>;
  /** Starts taking jobs. `onFailed` hears of every job that failed for good. */
  start(run: JobRunner, onFailed: (job: Job) => void): void;
  /** Stops taking jobs, interrupts running ones (they count as a failed attempt and run again later) and lets go of the store. */
  close(): Promise<void>;
}

/**
 * Runs one attempt under the time limit. The signal aborts on timeout and on shutdown
 * (interruptAll), killing ffmpeg children and copies; the race ends the attempt then even if the job ignores it.
 */
export async function runLimited(run: JobRunner, job: Job, progress: (p: number) => Promise<void>, timeoutMs: number, running: Set<AbortController>): Promise<unknown> {
  const ac = new AbortController();
  const timer = setTimeout(() => ac.abort(WorkerErrors.timeout(timeoutMs)), timeoutMs);
  const stopped = new Promise<never>((_, reject) => ac.signal.addEventListener('abort', () => reject(ac.signal.reason), { once: true }));
  running.add(ac);
  return Promise.race([run(job, progress, ac.signal), stopped]).finally(() => (clearTimeout(timer), running.delete(ac)));
}

export const interruptAll = (running: Set<AbortController>): void => running.forEach((ac) => ac.abort(WorkerErrors.shutdown()));
