/**
 * `npm run bench:worker`: throughput of the job queue and the latency of the media pipeline.
 *
 *  1. No-op jobs/s on each queue implementation: N jobs enqueued one after another (enqueue/s),
 *     then run by one worker with the default concurrency (2) and with 16 (jobs/s from start to the
 *     last completion). SQL queue on SQLite and, when reachable, on PostgreSQL; BullMQ on Redis.
 *  2. content_added → thumbnail_generated, end to end: the worker block in a host with a content
 *     mock, a real 1280×720 H.264 file; the time from publishing the event to hearing the result.
 *
 * Output: human-readable lines, then LAST one line holding a single JSON object. BENCH_QUICK=1 runs
 * fewer jobs.
 */
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { loadConfig } from '../src/app/config.ts';
import { openDatabaseFor } from '../src/platform/database/index.ts';
import { dropPostgresSchemas } from '../src/platform/database/index.ts';
import { buildHost } from '../src/app/host.ts';
import workerBlock from '../src/blocks/worker/index.ts';
import type { JobQueue, QueueSettings } from '../src/platform/queue/index.ts';
import { BullQueue } from '../src/platform/queue/bullmq.ts';
import { SqlQueue, migrations, type QueueDB } from '../src/platform/queue/sql.ts';
import { authMock, contentMock } from '../src/blocks/worker/tests/helpers.ts';

const quick = process.env.BENCH_QUICK === '1';
const N = quick ? 500 : 3000;
const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
const PG_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const E2E_RUNS = quick ? 3 : 7;
const logger = pino({ level: 'error' }, pino.destination(2));
const r1 = (x: number) => Math.round(x * 10) / 10;
const settings = (concurrency: number): QueueSettings => ({
  concurrency,
  timeoutMs: 60_000,
  backoffBaseMs: 1000,
  leaseMs: 30_000,
  pollMs: 250,
});

interface QueueFigures {
  enqueue_per_s: number;
  c2_jobs_per_s: number;
  c16_jobs_per_s: number;
}

/** Enqueues N no-op jobs, then runs them; `make` opens a fresh queue on an empty store. */
async function measure(
  label: string,
  make: (concurrency: number) => Promise<{ queue: JobQueue; close: () => Promise<void> }>,
): Promise<QueueFigures> {
  const out: Partial<QueueFigures> = {};
  for (const concurrency of [2, 16]) {
    const { queue, close } = await make(concurrency);
    try {
      let t = performance.now();
      for (let i = 0; i < N; i++)
        await queue.add({ type: 'cleanup', payload: { i }, priority: 'normal' });
      const enqueue = N / ((performance.now() - t) / 1000);
      let done = 0;
      let finish!: () => void;
      const all = new Promise<void>((resolve) => (finish = resolve));
      t = performance.now();
      queue.start(
        async () => {
          if (++done === N) setImmediate(finish);
          return null;
        },
        () => {},
      );
      await all;
      while ((await queue.stats()).completed < N) await new Promise((r) => setTimeout(r, 5));
      const perS = N / ((performance.now() - t) / 1000);
      if (concurrency === 2) out.enqueue_per_s = Math.round(enqueue);
      out[concurrency === 2 ? 'c2_jobs_per_s' : 'c16_jobs_per_s'] = Math.round(perS);
      console.log(
        `${label.padEnd(22)} concurrency ${String(concurrency).padStart(2)}: enqueue ${Math.round(enqueue)} jobs/s, run ${Math.round(perS)} no-op jobs/s (${N} jobs)`,
      );
    } finally {
      await queue.close();
      await close();
    }
  }
  return out as QueueFigures;
}

async function sqlStore(env: Record<string, string>) {
  return async (concurrency: number) => {
    const db = await openDatabaseFor<QueueDB>(
      loadConfig({ ...env, WSOPTV_DATA_DIR: mkdtempSync(join(tmpdir(), 'wsoptv-bench-')) }),
      'worker',
    );
    await db.migrate(migrations);
    return {
      queue: new SqlQueue(db.db, settings(concurrency), db.dialect),
      close: () => db.close(),
    };
  };
}

async function reachable(check: () => Promise<unknown>): Promise<boolean> {
  return check().then(
    () => true,
    () => false,
  );
}

async function endToEnd(): Promise<{ runs_ms: number[]; median_ms: number }> {
  const root = mkdtempSync(join(tmpdir(), 'wsoptv-bench-e2e-'));
  const library = join(root, 'library');
  mkdirSync(join(library, 'WSOP'), { recursive: true });
  const video = join(library, 'WSOP', 'bench.mp4');
  if (!existsSync(video)) {
    execFileSync('ffmpeg', [
      '-hide_banner',
      '-loglevel',
      'error',
      '-y',
      '-f',
      'lavfi',
      '-i',
      'testsrc=s=1280x720:r=25:d=30',
      '-f',
      'lavfi',
      '-i',
      'sine=d=30',
      '-c:v',
      'libx264',
      '-preset',
      'ultrafast',
      '-pix_fmt',
      'yuv420p',
      '-c:a',
      'aac',
      '-shortest',
      video,
    ]);
  }
  const content = contentMock();
  const env = {
    WSOPTV_DATA_DIR: join(root, 'data'),
    WSOPTV_LIBRARY_DIR: library,
    WSOPTV_THUMBNAIL_DIR: join(root, 'thumbs'),
    WSOPTV_SCAN_ON_START: 'false',
  };
  const app = await buildHost(loadConfig(env), logger, [
    workerBlock,
    content.manifest,
    authMock().manifest,
  ]);
  const runs: number[] = [];
  try {
    const heard = new Map<string, () => void>();
    await app.orchestrator.subscribe(
      'thumbnail_generated',
      (p) => heard.get(p.content_id)?.(),
      'bench',
    );
    for (let i = 0; i < E2E_RUNS; i++) {
      const item = content.put('WSOP/bench.mp4', { id: randomUUID() });
      const done = new Promise<void>((resolve) => heard.set(item.id, resolve));
      const t = performance.now();
      await app.orchestrator.client('content').publish('content_added', content.summary(item));
      await done;
      runs.push(r1(performance.now() - t));
    }
  } finally {
    await app.close();
  }
  const sorted = [...runs].sort((a, b) => a - b);
  console.log(
    `content_added → thumbnail_generated (1280×720, 30 s H.264): ${runs.join(', ')} ms; median ${sorted[sorted.length >> 1]} ms`,
  );
  return { runs_ms: runs, median_ms: sorted[sorted.length >> 1] };
}

async function main(): Promise<void> {
  const began = performance.now();
  const json: Record<string, unknown> = { jobs: N, loadavg_1m_start: r1(loadavg()[0]) };
  const sqlite = await measure('SQL queue / SQLite', await sqlStore({}));
  Object.assign(json, {
    sqlite_enqueue_per_s: sqlite.enqueue_per_s,
    sqlite_c2_jobs_per_s: sqlite.c2_jobs_per_s,
    sqlite_c16_jobs_per_s: sqlite.c16_jobs_per_s,
  });

  if (
    await reachable(async () => {
      const c = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 1500 });
      await c.connect();
      await c.end();
    })
  ) {
    const prefix = `bench${process.pid}`;
    try {
      const p = await measure('SQL queue / PostgreSQL', async (c) =>
        (await sqlStore({ DATABASE_URL: PG_URL, WSOPTV_DB_SCHEMA_PREFIX: `${prefix}_${c}` }))(c),
      );
      Object.assign(json, {
        postgres_enqueue_per_s: p.enqueue_per_s,
        postgres_c2_jobs_per_s: p.c2_jobs_per_s,
        postgres_c16_jobs_per_s: p.c16_jobs_per_s,
      });
    } finally {
      for (const c of [2, 16]) await dropPostgresSchemas(PG_URL, `${prefix}_${c}`);
    }
  } else console.log(`PostgreSQL at ${PG_URL} unreachable: skipped`);

  const ping = new Redis(REDIS_URL, {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
  });
  ping.on('error', () => {});
  const redisUp = await reachable(() => ping.connect().then(() => ping.ping()));
  ping.disconnect();
  if (redisUp) {
    const b = await measure('BullMQ / Redis', async (c) => {
      const name = `bench-${process.pid}-${c}`;
      return {
        queue: new BullQueue(REDIS_URL, name, settings(c)),
        async close() {
          const q = new Queue(name, { connection: { url: REDIS_URL }, prefix: 'wsoptv' });
          await q.obliterate({ force: true });
          await q.close();
        },
      };
    });
    Object.assign(json, {
      bullmq_enqueue_per_s: b.enqueue_per_s,
      bullmq_c2_jobs_per_s: b.c2_jobs_per_s,
      bullmq_c16_jobs_per_s: b.c16_jobs_per_s,
    });
  } else console.log(`Redis at ${REDIS_URL} unreachable: BullMQ skipped`);

  const e2e = await endToEnd();
  Object.assign(json, {
    e2e_thumbnail_median_ms: e2e.median_ms,
    e2e_thumbnail_runs_ms: e2e.runs_ms,
    loadavg_1m_end: r1(loadavg()[0]),
    node_version: process.version,
    cpus: cpus().length,
    duration_s: r1((performance.now() - began) / 1000),
  });
  console.log(JSON.stringify(json));
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(
      `bench:worker failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`,
    );
    process.exit(1);
  },
);
