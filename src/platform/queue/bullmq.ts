/**
 * The job queue on Redis with BullMQ (used when REDIS_URL is set). BullMQ's own lock plays the
 * lease: a worker renews it while a job runs; when its process dies the stalled-job check puts
 * the job back in the queue. Statuses map from BullMQ's states: waiting/prioritized → pending,
 * active → processing, delayed (only retries are delayed here) → retrying.
 */
import { randomUUID } from 'node:crypto';
import { Queue, UnrecoverableError, Worker, type Job as BullJob } from 'bullmq';
import {
  MAX_ATTEMPTS,
  PRIORITIES,
  QueueErrors,
  STATUSES,
  backoffMs,
  errorText,
  interruptAll,
  isPermanent,
  runLimited,
  type Job,
  type JobQueue,
  type JobRunner,
  type NewJob,
  type QueueOptions,
  type Status,
} from './index.ts';

type State =
  'waiting' | 'prioritized' | 'waiting-children' | 'active' | 'delayed' | 'completed' | 'failed';
const STATES: Record<Status, State[]> = {
  pending: ['waiting', 'prioritized', 'waiting-children'],
  processing: ['active'],
  retrying: ['delayed'],
  completed: ['completed'],
  failed: ['failed'],
};
const statusOf = (state: string): Status =>
  STATUSES.find((s) => (STATES[s] as string[]).includes(state)) ?? 'pending';
const iso = (ms: number | undefined) => new Date(ms ?? 0).toISOString();

export class BullQueue<K extends string = string> implements JobQueue<K> {
  readonly kind = 'bullmq';
  private readonly queue: Queue;
  private worker?: Worker;
  private readonly running = new Set<AbortController>();
  private readonly connection: { url: string; maxRetriesPerRequest: null };

  /** `name` is the queue name, already prefixed with the bus namespace when there is one. */
  constructor(
    url: string,
    private readonly name: string,
    private readonly opts: QueueOptions,
  ) {
    // BullMQ's workers block on Redis: no per-command retry limit
    this.connection = { url, maxRetriesPerRequest: null };
    this.queue = new Queue(name, { connection: this.connection, prefix: 'wsoptv' });
    this.queue.on('error', (err) => opts.log?.warn({ err }, 'job queue: Redis error'));
  }

  private async toJob(j: BullJob, state?: string): Promise<Job<K>> {
    const status = statusOf(state ?? (await j.getState()));
    return {
      id: j.id!,
      type: j.name as K,
      priority: PRIORITIES[(j.opts.priority ?? 3) - 1] ?? 'normal',
      status,
      payload: j.data as Job<K>['payload'],
      attempts: j.attemptsStarted,
      max_attempts: j.opts.attempts ?? MAX_ATTEMPTS,
      progress: status === 'completed' ? 100 : typeof j.progress === 'number' ? j.progress : 0,
      result: j.returnvalue ?? null,
      error: j.failedReason || null,
      created_at: iso(j.timestamp),
      updated_at: iso(Math.max(j.timestamp, j.processedOn ?? 0, j.finishedOn ?? 0)),
      // A retry waits `delay` after its failed attempt; BullMQ keeps when that attempt started, not
      // when it ended.
      run_at: iso(status === 'retrying' ? (j.processedOn ?? j.timestamp) + j.delay : j.timestamp),
    };
  }

  async add({ type, payload, priority, id = randomUUID() }: NewJob<K>): Promise<Job<K>> {
    const j = await this.queue.add(type, payload, {
      jobId: id,
      priority: PRIORITIES.indexOf(priority) + 1,
      attempts: MAX_ATTEMPTS,
      backoff: { type: 'custom' },
    });
    return (await this.get(j.id!))!;
  }

  async get(id: string): Promise<Job<K> | null> {
    const j = await this.queue.getJob(id);
    return j ? this.toJob(j as BullJob) : null;
  }

  async list({ status, limit, offset }: { status?: Status; limit: number; offset: number }) {
    const types = status ? STATES[status] : STATUSES.flatMap((s) => STATES[s]);
    // BullMQ orders each state its own way (finish time, priority…): sort them all by creation,
    // newest first. Reads every job in those states: fine for an admin list of jobs kept for days,
    // not for millions.
    const jobs = ((await this.queue.getJobs(types)) as BullJob[])
      .filter(Boolean)
      .sort((a, b) => b.timestamp - a.timestamp || (a.id! < b.id! ? -1 : 1));
    const items = await Promise.all(
      jobs.slice(offset, offset + limit).map((j) => this.toJob(j, status && STATES[status][0])),
    );
    return { items, total: jobs.length };
  }

  async retry(id: string): Promise<Job<K>> {
    const j = (await this.queue.getJob(id)) as BullJob | undefined;
    if (!j) throw QueueErrors.notFound(id);
    const state = await j.getState();
    if (state !== 'failed') throw QueueErrors.notRetryable(id, statusOf(state));
    await j.retry('failed', { resetAttemptsMade: true, resetAttemptsStarted: true });
    return (await this.get(id))!;
  }

  async stats() {
    const counts = await this.queue.getJobCounts(...STATUSES.flatMap((s) => STATES[s]));
    return Object.fromEntries(
      STATUSES.map((s) => [s, STATES[s].reduce((n, k) => n + (counts[k] ?? 0), 0)]),
    ) as Record<Status, number>;
  }

  async removeFinished(olderThanMs: number): Promise<number> {
    const [a, b] = await Promise.all([
      this.queue.clean(olderThanMs, 0, 'completed'),
      this.queue.clean(olderThanMs, 0, 'failed'),
    ]);
    return a.length + b.length;
  }

  start(run: JobRunner<K>, onFailed: (job: Job<K>) => void): void {
    const { concurrency, leaseMs, backoffBaseMs, timeoutMs } = this.opts;
    // UnrecoverableError: BullMQ fails the job at once instead of retrying it.
    const processor = async (j: BullJob) =>
      (await runLimited(
        run,
        await this.toJob(j, 'active'),
        (p) => j.updateProgress(Math.round(p)),
        timeoutMs,
        this.running,
      ).catch((err) => {
        throw isPermanent(err) ? new UnrecoverableError(errorText(err)) : new Error(errorText(err));
      })) ?? null;
    this.worker = new Worker(this.name, processor, {
      connection: this.connection,
      prefix: 'wsoptv',
      concurrency,
      lockDuration: leaseMs,
      stalledInterval: leaseMs,
      maxStalledCount: MAX_ATTEMPTS,
      settings: { backoffStrategy: (attempt: number) => backoffMs(backoffBaseMs, attempt) },
    });
    this.worker.on('error', (err) => this.opts.log?.warn({ err }, 'job worker: Redis error'));
    // 'failed' fires for every failed attempt: only a job now in the failed state failed for good.
    this.worker.on(
      'failed',
      (j) =>
        void (
          j &&
          this.get(j.id!).then(
            (job) => job?.status === 'failed' && onFailed(job),
            () => {},
          )
        ),
    );
  }

  async close(): Promise<void> {
    interruptAll(this.running);
    await this.worker?.close();
    await this.queue.close();
  }
}
