/**
 * The job queue as one table in the owning block's own database (SQLite file or PostgreSQL schema).
 * A claim is one conditional UPDATE (`… where id in (next due) and <still claimable>`), atomic on
 * both dialects, so two workers can never take the same job. The claimer holds a lease that it
 * renews while the job runs; a job whose lease ran out (its process died) is made due again at the
 * next poll, and claimed like any other (another attempt). Results and failures are written only
 * while the lease is still ours, so a late answer cannot overwrite them.
 */
import { randomUUID } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import { isUniqueViolation, toJsonText, type DatabaseDialect } from '../database/index.ts';
import { claimable, toJob, type JobsTable, type QueueDB } from './sql-schema.ts';

export { migrations, type QueueDB } from './sql-schema.ts';
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

export class SqlQueue<K extends string = string> implements JobQueue<K> {
  readonly kind = 'sql';
  private readonly owner = randomUUID();
  private readonly running = new Set<AbortController>();
  private readonly active = new Set<Promise<void>>();
  private run?: JobRunner<K>;
  private onFailed: (job: Job<K>) => void = () => {};
  private timer?: NodeJS.Timeout;
  private chain = Promise.resolve();
  private closed = false;

  /**
   * On PostgreSQL claims skip rows another worker is claiming (SKIP LOCKED) instead of queueing
   * behind them.
   */
  constructor(
    private readonly db: Kysely<QueueDB>,
    private readonly opts: QueueOptions,
    private readonly dialect: DatabaseDialect = 'sqlite',
  ) {}

  async add({ type, payload, priority, id = randomUUID() }: NewJob<K>): Promise<Job<K>> {
    const now = Date.now();
    const row: JobsTable = {
      id,
      type,
      priority: PRIORITIES.indexOf(priority),
      status: 'pending',
      payload: toJsonText(payload),
      attempts: 0,
      max_attempts: MAX_ATTEMPTS,
      progress: 0,
      result: null,
      error: null,
      created_at: now,
      updated_at: now,
      run_at: now,
      lease_until: null,
      lease_owner: null,
      finished_at: null,
    };
    const fresh = await this.db
      .insertInto('jobs')
      .values(row)
      .execute()
      .then(
        () => true,
        (err: Error) => (isUniqueViolation(err) ? false : Promise.reject(err)),
      );
    this.pump();
    return fresh ? toJob<K>(row) : (await this.get(id))!;
  }

  get(id: string): Promise<Job<K> | null> {
    return this.db
      .selectFrom('jobs')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst()
      .then((row) => (row ? toJob<K>(row) : null));
  }

  async list({ status, limit, offset }: { status?: Status; limit: number; offset: number }) {
    const q = status
      ? this.db.selectFrom('jobs').where('status', '=', status)
      : this.db.selectFrom('jobs');
    const rows = await q
      .selectAll()
      .orderBy('created_at', 'desc')
      .orderBy('id')
      .limit(limit)
      .offset(offset)
      .execute();
    const { n } = await q
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    return { items: rows.map((r) => toJob<K>(r)), total: Number(n) };
  }

  async retry(id: string): Promise<Job<K>> {
    const now = Date.now();
    const r = await this.db
      .updateTable('jobs')
      .set({
        status: 'pending',
        attempts: 0,
        progress: 0,
        error: null,
        run_at: now,
        updated_at: now,
        finished_at: null,
      })
      .where('id', '=', id)
      .where('status', '=', 'failed')
      .executeTakeFirst();
    const job = await this.get(id);
    if (!job) throw QueueErrors.notFound(id);
    if (r.numUpdatedRows === 0n) throw QueueErrors.notRetryable(id, job.status);
    this.pump();
    return job;
  }

  async stats() {
    const rows = await this.db
      .selectFrom('jobs')
      .select((eb) => ['status', eb.fn.countAll<number>().as('n')])
      .groupBy('status')
      .execute();
    return Object.fromEntries(
      STATUSES.map((s) => [s, Number(rows.find((r) => r.status === s)?.n ?? 0)]),
    ) as Record<Status, number>;
  }

  async removeFinished(olderThanMs: number): Promise<number> {
    return Number(
      (
        await this.db
          .deleteFrom('jobs')
          .where('status', 'in', ['completed', 'failed'])
          .where('finished_at', '<', Date.now() - olderThanMs)
          .executeTakeFirst()
      ).numDeletedRows,
    );
  }

  start(run: JobRunner<K>, onFailed: (job: Job<K>) => void): void {
    [this.run, this.onFailed] = [run, onFailed];
    this.timer = setInterval(
      () => void this.recover().finally(() => this.pump()),
      this.opts.pollMs,
    );
    this.pump();
  }

  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.timer);
    await this.chain; // a claim in flight: its jobs start, then are interrupted with the rest
    interruptAll(this.running);
    await Promise.allSettled([...this.active]);
  }

  /** Fills free slots. Passes run one after another, so a wake-up during a pass is never lost. */
  private pump(): void {
    this.chain = this.chain
      .then(async () => {
        const free = this.opts.concurrency - this.active.size;
        if (!this.run || this.closed || free <= 0) return;
        for (const row of await this.claim(free)) {
          const done: Promise<void> = this.execute(row).finally(
            () => (this.active.delete(done), this.pump()),
          );
          this.active.add(done);
        }
      })
      .catch((err: unknown) =>
        this.opts.log?.warn({ err }, 'could not claim jobs; trying again at the next poll'),
      );
  }

  /**
   * Jobs whose lease ran out (their worker died) become due again; the next claim counts another
   * attempt.
   */
  private async recover(): Promise<void> {
    const now = Date.now();
    await this.db
      .updateTable('jobs')
      .set({ status: 'retrying', run_at: now, lease_owner: null, updated_at: now })
      .where('status', '=', 'processing')
      .where('lease_until', '<', now)
      .execute()
      .catch((err: unknown) => this.opts.log?.warn({ err }, 'could not look for expired leases'));
  }

  /**
   * Up to `n` jobs in one UPDATE. The outer `claimable` is checked again on each row as it is
   * locked (PostgreSQL re-reads a row another transaction changed), so of two workers racing for a
   * job exactly one gets it; on SQLite the statement runs alone under the write lock.
   */
  private async claim(n: number): Promise<JobsTable[]> {
    const now = Date.now();
    const next = this.db
      .selectFrom('jobs')
      .select('id')
      .where(claimable(now))
      .orderBy('priority')
      .orderBy('run_at')
      .limit(n);
    const rows = await this.db
      .updateTable('jobs')
      .where('id', 'in', this.dialect === 'postgres' ? next.forUpdate().skipLocked() : next)
      .where(claimable(now))
      .set({
        status: 'processing',
        attempts: sql`attempts + 1`,
        lease_until: now + this.opts.leaseMs,
        lease_owner: this.owner,
        updated_at: now,
      })
      .returningAll()
      .execute();
    return rows.sort((a, b) => a.priority - b.priority || a.run_at - b.run_at);
  }

  /** Writes to a job we still hold; false when the lease was lost to another worker. */
  private async mine(id: string, set: Partial<JobsTable>): Promise<boolean> {
    return (
      (
        await this.db
          .updateTable('jobs')
          .set({ ...set, updated_at: Date.now() })
          .where('id', '=', id)
          .where('lease_owner', '=', this.owner)
          .where('status', '=', 'processing')
          .executeTakeFirst()
      ).numUpdatedRows > 0n
    );
  }

  private async execute(row: JobsTable): Promise<void> {
    const job = toJob<K>(row);
    const renew = setInterval(
      () => void this.mine(job.id, { lease_until: Date.now() + this.opts.leaseMs }).catch(() => {}),
      this.opts.leaseMs / 3,
    );
    const progress = (p: number) => this.mine(job.id, { progress: Math.round(p) }).then(() => {});
    // A job claimed again after its lease ran out with no attempts left fails instead of running.
    const attempt =
      row.attempts > row.max_attempts
        ? Promise.reject(QueueErrors.leaseLost())
        : runLimited(this.run!, job, progress, this.opts.timeoutMs, this.running);
    const outcome = await attempt
      .then(
        (result) => ({ ok: true as const, result }),
        (error: unknown) => ({ ok: false as const, error }),
      )
      .finally(() => clearInterval(renew));
    const now = Date.now();
    try {
      if (outcome.ok)
        return void (await this.mine(job.id, {
          status: 'completed',
          progress: 100,
          result: toJsonText(outcome.result ?? null),
          error: null,
          lease_until: null,
          finished_at: now,
        }));
      const final = isPermanent(outcome.error) || row.attempts >= row.max_attempts;
      const [status, error] = [final ? 'failed' : 'retrying', errorText(outcome.error)] as const;
      const wrote = await this.mine(job.id, {
        status,
        error,
        run_at: final ? row.run_at : now + backoffMs(this.opts.backoffBaseMs, row.attempts),
        lease_until: null,
        finished_at: final ? now : null,
      });
      if (wrote && final) this.onFailed({ ...job, status, error });
    } catch (err) {
      this.opts.log?.warn(
        { err, job_id: job.id },
        'could not record the end of a job; its lease will expire and it runs again',
      );
    }
  }
}
