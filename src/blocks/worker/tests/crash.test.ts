/**
 * A worker process killed with SIGKILL in the middle of a job: the job is not lost. Its lease runs
 * out and a worker process started afterwards on the same SQLite data directory (or the same
 * Redis) runs it to the end, together with the job that was still waiting behind it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { Queue } from 'bullmq';
import { afterEach, describe, expect, it } from 'vitest';
import { describeWithFfmpeg, makeLibrary } from '../../../../test/support/media.ts';
import { describeRedis, redisUrl, testBusSecret } from '../../../../test/support/redis.ts';
import { dirs, workerEnv } from './helpers.ts';

const script = fileURLToPath(new URL('./worker-process.ts', import.meta.url));
const children: ChildProcess[] = [];
afterEach(() => {
  for (const c of children.splice(0))
    if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});

/** Starts the worker process; resolves with a reader that waits for a line starting with `word`. */
function start(env: Record<string, string | undefined>) {
  const proc = spawn(process.execPath, ['--import', 'tsx', script], {
    env: env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(proc);
  let out = '';
  proc.stdout.on('data', (d) => (out += d));
  proc.stderr.on('data', (d) => (out += d));
  const line = (word: string, ms = 30_000) =>
    new Promise<string>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`no "${word}" within ${ms} ms; output:\n${out}`)),
        ms,
      );
      const check = () => {
        const m = new RegExp(`^${word}(.*)$`, 'm').exec(out);
        if (m) {
          clearTimeout(timer);
          proc.stdout.off('data', check);
          resolve(m[1].trim());
        }
      };
      proc.stdout.on('data', check);
      check();
    });
  return { proc, line };
}

function killedMidJob(env: () => Record<string, string | undefined>) {
  return async () => {
    const base = env();
    const first = start({
      ...base,
      ENQUEUE: '1',
      SLOW_GET_MS: '600000',
      WSOPTV_WORKER_CONCURRENCY: '1',
    });
    const [probeId, thumbId] = (await first.line('JOBS')).split(' ');
    await first.line('RUNNING'); // the probe job is mid-flight, the thumbnail job waits behind it
    const gone = new Promise((r) => first.proc.once('exit', r));
    first.proc.kill('SIGKILL');
    await gone;
    const t0 = performance.now();
    const second = start({ ...base, WATCH: `${probeId},${thumbId}` });
    const done = JSON.parse(await second.line('DONE', 45_000));
    const probe = done.jobs.find((j: { id: string }) => j.id === probeId);
    // the killed attempt counted
    expect(probe).toMatchObject({ type: 'probe', status: 'completed', attempts: 2 });
    expect(done.jobs.find((j: { id: string }) => j.id === thumbId)).toMatchObject({
      type: 'thumbnail',
      status: 'completed',
    });
    expect(done.item.duration_seconds).toBeCloseTo(2, 0);
    expect(done.item.thumbnail_url).toMatch(/^\/api\/thumbnails\/.+\.jpg$/);
    return performance.now() - t0;
  };
}

function setUp(extra: Record<string, string>) {
  const d = dirs();
  makeLibrary(d.library, { 'WSOP/crash.mp4': { seconds: 2 } });
  const env: Record<string, string | undefined> = {
    ...process.env,
    ...workerEnv(d),
    ITEM_ID: randomUUID(),
    ITEM_PATH: 'WSOP/crash.mp4',
    WSOPTV_JOB_LEASE_MS: '1000',
    LOG_LEVEL: 'warn',
    ...extra,
  };
  delete env.REDIS_URL;
  return { ...env, ...extra };
}

describeWithFfmpeg('worker killed with SIGKILL mid-job', () => {
  describe('SQL queue on a shared SQLite data directory', () => {
    it(
      'the job is claimed again once its lease expires and completes in the next process',
      killedMidJob(() => setUp({})),
      90_000,
    );
  });

  describeRedis('BullMQ queue on Redis', () => {
    const ns = `crash${process.pid}${Math.random().toString(36).slice(2, 6)}`;
    afterEach(async () => {
      const q = new Queue(`${ns}-jobs`, { connection: { url: redisUrl }, prefix: 'wsoptv' });
      await q.obliterate({ force: true });
      await q.close();
    });
    it(
      'the stalled job goes back to the queue and completes in the next process',
      killedMidJob(() =>
        setUp({ REDIS_URL: redisUrl, WSOPTV_BUS_SECRET: testBusSecret, WSOPTV_BUS_NAMESPACE: ns }),
      ),
      90_000,
    );
  });
});
