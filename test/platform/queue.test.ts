/**
 * One suite for both queue implementations: the SQL table (SQLite and the real PostgreSQL) and
 * BullMQ on the real Redis. Priorities, retries with their backoff timing, the per-job time limit,
 * retry_job, retention, progress and stats, and several workers racing for the same jobs.
 */
import { randomUUID } from 'node:crypto';
import { Queue } from 'bullmq';
import { afterEach, describe, expect, it } from 'vitest';
import { BlockError } from '../../src/orchestration/index.ts';
import { loadConfig } from '../../src/app/config.ts';
import { openDatabaseFor } from '../../src/platform/database/index.ts';
import { BullQueue } from '../../src/platform/queue/bullmq.ts';
import type { Job, JobQueue, QueueSettings } from '../../src/platform/queue/index.ts';
import { SqlQueue, migrations, type QueueDB } from '../../src/platform/queue/sql.ts';
import { describeEachDatabase } from '../support/databases.ts';
import { describeRedis, redisUrl } from '../support/redis.ts';
import { waitFor } from '../support/wait.ts';

const SETTINGS: QueueSettings = {
  concurrency: 1,
  timeoutMs: 5000,
  backoffBaseMs: 100,
  leaseMs: 2000,
  pollMs: 20,
};

/** A place jobs are kept; `queue()` opens one more worker on it (several = competing workers). */
interface Store {
  queue(over?: Partial<QueueSettings>): JobQueue;
  close(): Promise<void>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function queueSuite(openStore: () => Promise<Store>): void {
  const opened: Array<{ store: Store; queues: JobQueue[] }> = [];
  const open = async () => {
    const store = await openStore();
    const entry = { store, queues: [] as JobQueue[] };
    opened.push(entry);
    return (over: Partial<QueueSettings> = {}) => {
      const q = store.queue(over);
      entry.queues.push(q);
      return q;
    };
  };
  afterEach(async () => {
    for (const { store, queues } of opened.splice(0)) {
      for (const q of queues) await q.close();
      await store.close();
    }
  });
  const add = (
    q: JobQueue,
    payload: Record<string, unknown> = {},
    priority: Job['priority'] = 'normal',
  ) => q.add({ type: 'cleanup', payload, priority });
  const settled = (q: JobQueue, id: string, status: Job['status'] = 'completed', ms = 10_000) =>
    waitFor(async () => (await q.get(id))?.status === status, ms, {
      message: `job ${id} ${status}`,
    }).then(async () => (await q.get(id))!);

  it('keeps a job with its fields, runs it, and records progress and result', async () => {
    const q = (await open())();
    const job = await add(q, { n: 1 }, 'high');
    expect(job).toMatchObject({
      type: 'cleanup',
      priority: 'high',
      status: 'pending',
      payload: { n: 1 },
      attempts: 0,
      max_attempts: 4,
      progress: 0,
      result: null,
      error: null,
    });
    expect(await q.get(job.id)).toMatchObject({ id: job.id, status: 'pending' });
    expect(await q.get(randomUUID())).toBeNull();
    let seen = -1;
    q.start(
      async (j, progress) => {
        await progress(40);
        seen = (await q.get(j.id))!.progress;
        return { n: j.payload.n };
      },
      () => {},
    );
    const done = await settled(q, job.id);
    expect(seen).toBe(40);
    expect(done).toMatchObject({
      status: 'completed',
      progress: 100,
      result: { n: 1 },
      attempts: 1,
      error: null,
    });
    expect(await q.stats()).toEqual({
      pending: 0,
      processing: 0,
      completed: 1,
      failed: 0,
      retrying: 0,
    });
    expect(
      (await q.list({ status: 'completed', limit: 10, offset: 0 })).items.map((j) => j.id),
    ).toEqual([job.id]);
    expect(await q.list({ status: 'failed', limit: 10, offset: 0 })).toEqual({
      items: [],
      total: 0,
    });
  });

  it('an add with a known id returns the first job instead of queueing a second', async () => {
    const q = (await open())();
    const id = randomUUID();
    const first = await q.add({
      type: 'probe',
      payload: { content_id: 'a' },
      priority: 'normal',
      id,
    });
    const again = await q.add({
      type: 'probe',
      payload: { content_id: 'b' },
      priority: 'urgent',
      id,
    });
    expect(again).toMatchObject({
      id,
      payload: { content_id: 'a' },
      priority: 'normal',
      created_at: first.created_at,
    });
    expect((await q.list({ limit: 10, offset: 0 })).total).toBe(1);
  });

  it('runs urgent, then high, normal and low; first come first served within a priority', async () => {
    const q = (await open())();
    for (const [name, priority] of [
      ['low', 'low'],
      ['normal-1', 'normal'],
      ['urgent', 'urgent'],
      ['high', 'high'],
    ] as const) {
      await add(q, { name }, priority);
      await sleep(3);
    }
    await add(q, { name: 'normal-2' }, 'normal');
    expect((await q.stats()).pending).toBe(5);
    const order: unknown[] = [];
    q.start(
      async (j) => void order.push(j.payload.name),
      () => {},
    );
    await waitFor(() => order.length === 5, 10_000);
    expect(order).toEqual(['urgent', 'high', 'normal-1', 'normal-2', 'low']);
    const page = await q.list({ limit: 2, offset: 1 });
    expect(page.total).toBe(5);
    expect(page.items.map((j) => j.payload.name)).toEqual(['high', 'urgent']); // newest first
  });

  it('retries a failing job 3 times, waiting base·1, base·4, base·16, then fails it and says so once', async () => {
    const q = (await open())({ backoffBaseMs: 100 });
    const times: number[] = [];
    const failed: Job[] = [];
    const statuses = new Set<string>();
    q.start(
      async () => {
        times.push(performance.now());
        throw new Error(`attempt ${times.length} broke`);
      },
      (j) => failed.push(j),
    );
    const job = await add(q);
    const poll = setInterval(() => void q.get(job.id).then((j) => j && statuses.add(j.status)), 10);
    const done = await settled(q, job.id, 'failed');
    clearInterval(poll);
    expect(done).toMatchObject({ status: 'failed', attempts: 4, error: 'attempt 4 broke' });
    expect(statuses).toContain('retrying');
    const gaps = times.slice(1).map((t, i) => t - times[i]);
    expect(gaps).toHaveLength(3);
    gaps.forEach((gap, i) => {
      expect(gap).toBeGreaterThanOrEqual(100 * 4 ** i - 15);
      expect(gap).toBeLessThan(100 * 4 ** i + 400);
    });
    await waitFor(() => failed.length === 1, 2000);
    await sleep(100);
    expect(failed.map((j) => [j.id, j.error])).toEqual([[job.id, 'attempt 4 broke']]);
    expect(await q.stats()).toMatchObject({ failed: 1, retrying: 0 });
  });

  it('fails an attempt that runs over the time limit (and aborts its signal), then retries it', async () => {
    const q = (await open())({ timeoutMs: 300 });
    let aborted: unknown;
    let calls = 0;
    q.start(
      (_j, _p, signal) => {
        if (++calls > 1) return Promise.resolve('second try');
        return new Promise((_, reject) =>
          signal.addEventListener('abort', () => reject((aborted = signal.reason as BlockError))),
        );
      },
      () => {},
    );
    const started = performance.now();
    const job = await add(q);
    const done = await settled(q, job.id);
    expect(done).toMatchObject({ attempts: 2, result: 'second try' });
    expect(performance.now() - started).toBeGreaterThanOrEqual(300 + 100 - 15);
    expect(aborted).toMatchObject({ code: 'JOB_TIMEOUT' });
  });

  it('fails at once on a permanent error; retry_job re-queues a failed job with fresh attempts', async () => {
    const q = (await open())();
    let fixed = false;
    q.start(
      async () => {
        if (!fixed) throw new BlockError('FFMPEG_MISSING', 'ffprobe is not installed');
        return 'ok';
      },
      () => {},
    );
    const job = await add(q);
    const failed = await settled(q, job.id, 'failed');
    expect(failed).toMatchObject({
      attempts: 1,
      error: 'FFMPEG_MISSING: ffprobe is not installed',
    });
    fixed = true;
    const again = await q.retry(job.id);
    expect(again.id).toBe(job.id);
    expect(['pending', 'processing', 'completed']).toContain(again.status);
    expect(await settled(q, job.id)).toMatchObject({
      status: 'completed',
      attempts: 1,
      result: 'ok',
    });
    await expect(q.retry(job.id)).rejects.toMatchObject({ code: 'JOB_NOT_RETRYABLE', status: 409 });
    await expect(q.retry(randomUUID())).rejects.toMatchObject({
      code: 'JOB_NOT_FOUND',
      status: 404,
    });
  });

  it('removes finished jobs past their retention and keeps the rest', async () => {
    const q = (await open())();
    let fail = false;
    q.start(
      async () => {
        if (fail) throw new BlockError('INVALID_JOB_PAYLOAD', 'no');
        return null;
      },
      () => {},
    );
    const old = await add(q);
    await settled(q, old.id);
    fail = true;
    const oldFailed = await add(q);
    await settled(q, oldFailed.id, 'failed');
    await sleep(600);
    fail = false;
    const recent = await add(q);
    await settled(q, recent.id);
    expect(await q.removeFinished(400)).toBe(2);
    expect(await q.get(old.id)).toBeNull();
    expect(await q.get(oldFailed.id)).toBeNull();
    expect(await q.get(recent.id)).toMatchObject({ status: 'completed' });
    expect(await q.removeFinished(60_000)).toBe(0);
  });

  it('never runs one job twice, even with several workers competing for the same jobs', async () => {
    const queue = await open();
    const workers = [
      queue({ concurrency: 4 }),
      queue({ concurrency: 4 }),
      queue({ concurrency: 4 }),
    ];
    const runs = new Map<string, number>();
    // Which worker wins how many jobs depends on scheduling (one may take all on a busy
    // machine); what must hold is that every job runs exactly once.
    workers.forEach((w) =>
      w.start(
        async (j) => {
          runs.set(j.id, (runs.get(j.id) ?? 0) + 1);
          await sleep(Math.random() * 10);
        },
        () => {},
      ),
    );
    const ids = await Promise.all(
      Array.from({ length: 60 }, (_, i) => add(workers[i % 3], { i }).then((j) => j.id)),
    );
    await waitFor(async () => (await workers[0].stats()).completed === 60, 20_000);
    expect(ids.every((id) => runs.get(id) === 1)).toBe(true);
    expect([...runs.values()].reduce((a, b) => a + b, 0)).toBe(60);
  });

  it('a job interrupted by close() is picked up again by the next worker', async () => {
    const queue = await open();
    const first = queue();
    first.start(
      (_j, _p, signal) =>
        new Promise((_, reject) =>
          signal.addEventListener('abort', () => reject(signal.reason as BlockError)),
        ),
      () => {},
    );
    const job = await add(first);
    await settled(first, job.id, 'processing');
    await first.close();
    const second = queue();
    second.start(
      async () => 'done',
      () => {},
    );
    expect(await settled(second, job.id, 'completed', 15_000)).toMatchObject({ result: 'done' });
  });
}

describeEachDatabase('job queue on SQL', (target) => {
  queueSuite(async () => {
    const db = await openDatabaseFor<QueueDB>(loadConfig(target.env()), 'worker');
    await db.migrate(migrations);
    return {
      queue: (over) => new SqlQueue(db.db, { ...SETTINGS, ...over }, db.dialect),
      close: () => db.close(),
    };
  });
});

describeRedis('job queue on BullMQ', () => {
  queueSuite(async () => {
    const name = `t${process.pid}-${randomUUID().slice(0, 8)}`;
    return {
      queue: (over) => new BullQueue(redisUrl, name, { ...SETTINGS, ...over }),
      async close() {
        const q = new Queue(name, { connection: { url: redisUrl }, prefix: 'wsoptv' });
        await q.obliterate({ force: true });
        await q.close();
      },
    };
  });
});

describe('backoff', () => {
  it('is 1 s, 4 s, 16 s with the default base', async () => {
    const { backoffMs } = await import('../../src/platform/queue/index.ts');
    expect([1, 2, 3].map((n) => backoffMs(1000, n))).toEqual([1000, 4000, 16_000]);
  });
});
