/**
 * `npm run bench:bus`: request/response throughput and latency of the orchestration layer,
 * in-process (memory bus) and between two Node processes over Redis, plus durable events/s (a
 * block's event handler: acknowledged per message, Redis Streams between processes).
 *
 * Output: one human-readable line per measurement, a summary line, then LAST a single line
 * holding one JSON object with every figure (for scripts and CI).
 *
 * Method: N async loops (N = concurrency) each await sequential `bench-echo:v1.echo` requests for a
 * fixed time after a warm-up. Throughput counts the calls completed inside the measuring
 * window; latency is sampled (every k-th call, timed with performance.now) into a
 * preallocated Float64Array (reservoir when full) and summarised as p50/p99 in µs.
 * In-process loops never yield to the timer phase (everything resolves in microtasks), so
 * the clock is read inline every few hundred calls rather than via setTimeout.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { Orchestrator, orchestratorV1, type BlockClient } from '../src/orchestration/index.ts';
import { echoBlock, echoV1 } from './support/echo-contract.ts';

const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = join(HERE, '..');
const quick = process.env.BENCH_QUICK === '1'; // shorter runs while iterating

const IN_WARMUP_MS = quick ? 200 : 500;
const IN_DURATION_MS = quick ? 1000 : 3000;
const REDIS_WARMUP_MS = quick ? 300 : 1000;
const REDIS_DURATION_MS = quick ? 1500 : 5000;
const EVENTS_DURATION_MS = quick ? 1000 : 3000;

// Parent logs go to stderr so stdout holds only the report and the final JSON line. 'error':
// at 'warn' every orderly shutdown logs "block status changed … stopped".
const logger = pino({ level: process.env.BENCH_LOG_LEVEL ?? 'error' }, pino.destination(2));

// ── measurement harness ─────────────────────────────────────────────────────────────────

interface RunResult {
  label: string;
  concurrency: number;
  calls: number;
  seconds: number;
  callsPerS: number;
  p50Us: number;
  p99Us: number;
  samples: number;
}

interface RunOptions {
  concurrency: number;
  warmupMs: number;
  durationMs: number;
  /** Read the clock every (checkMask + 1) completed calls. */
  checkMask: number;
  /** Time one call in this many (1 = every call). */
  sampleEvery: number;
}

const SAMPLE_CAP = 1 << 20;
const latencies = new Float64Array(SAMPLE_CAP); // reused by every run

async function measure(
  label: string,
  call: (n: number) => Promise<unknown>,
  o: RunOptions,
): Promise<RunResult> {
  let phase = 0; // 0 warm-up, 1 measuring, 2 stop
  let done = 0;
  let stored = 0;
  let seen = 0;
  let startCount = 0;
  let startTime = 0;
  let endCount = 0;
  let endTime = 0;
  const t0 = performance.now();
  const tStart = t0 + o.warmupMs;
  const tEnd = tStart + o.durationMs;

  const tick = () => {
    const now = performance.now();
    if (phase === 0 && now >= tStart) {
      phase = 1;
      startCount = done;
      startTime = now;
    } else if (phase === 1 && now >= tEnd) {
      phase = 2;
      endCount = done;
      endTime = now;
    }
  };
  const record = (us: number) => {
    seen++;
    if (stored < SAMPLE_CAP) latencies[stored++] = us;
    else {
      const j = Math.floor(Math.random() * seen);
      if (j < SAMPLE_CAP) latencies[j] = us;
    }
  };
  // Backup clock for slow (network) runs; starved (harmlessly) in microtask-only runs.
  const backup = setInterval(tick, 20);

  const worker = async (w: number) => {
    let i = 0;
    let n = w * 1_000_000;
    while (phase !== 2) {
      if (phase === 1 && ++i >= o.sampleEvery) {
        i = 0;
        const s = performance.now();
        await call(n++);
        record((performance.now() - s) * 1000);
      } else {
        await call(n++);
      }
      if ((++done & o.checkMask) === 0) tick();
    }
  };
  try {
    await Promise.all(Array.from({ length: o.concurrency }, (_, w) => worker(w)));
  } finally {
    clearInterval(backup);
  }
  const calls = endCount - startCount;
  const seconds = (endTime - startTime) / 1000;
  const sorted = latencies.subarray(0, stored).sort();
  const pct = (p: number) => (stored ? sorted[Math.min(stored - 1, Math.floor(p * stored))] : NaN);
  const r: RunResult = {
    label,
    concurrency: o.concurrency,
    calls,
    seconds,
    callsPerS: calls / seconds,
    p50Us: pct(0.5),
    p99Us: pct(0.99),
    samples: stored,
  };
  console.log(
    `${label.padEnd(40)} c${String(o.concurrency).padEnd(4)} ${fmtRate(r.callsPerS).padStart(8)} calls/s  ` +
      `p50 ${fmtUs(r.p50Us).padStart(8)} µs  p99 ${fmtUs(r.p99Us).padStart(8)} µs  (${calls} calls in ${seconds.toFixed(2)} s, ${stored} latency samples)`,
  );
  return r;
}

/** Publishes bench_tick as fast as possible in windows of `window`, then waits for delivery. */
async function floodEvents(
  label: string,
  client: BlockClient,
  delivered: () => Promise<number>,
  opts: { durationMs: number; window: number; maxWindowsAhead: number; drainTimeoutMs: number },
): Promise<{ published: number; delivered: number; seconds: number; eventsPerS: number }> {
  const base = await delivered();
  const start = performance.now();
  let published = 0;
  // Flow control: after each window ask the subscriber how far it got, and never run more
  // than maxWindowsAhead windows ahead of it. Without it Redis would buffer the backlog and,
  // past client-output-buffer-limit pubsub, disconnect the subscriber.
  const acks: Promise<number>[] = [];
  while (performance.now() - start < opts.durationMs) {
    const batch = new Array<Promise<void>>(opts.window);
    for (let i = 0; i < opts.window; i++)
      batch[i] = client.publish('bench_tick', { n: published++ });
    await Promise.all(batch);
    if (opts.maxWindowsAhead > 0) {
      acks.push(delivered());
      if (acks.length > opts.maxWindowsAhead) await acks.shift();
    }
  }
  const publishedAt = performance.now();
  await Promise.all(acks);
  // Drain: wait until every event arrived, or delivery stopped progressing.
  let got = (await delivered()) - base;
  let doneAt = performance.now();
  let lastProgress = doneAt;
  while (got < published && performance.now() - lastProgress < opts.drainTimeoutMs) {
    await new Promise((r) => setTimeout(r, 5));
    const now = (await delivered()) - base;
    if (now !== got) {
      got = now;
      doneAt = performance.now();
      lastProgress = doneAt;
    }
  }
  const seconds = (Math.max(doneAt, publishedAt) - start) / 1000;
  const eventsPerS = got / seconds;
  const lost = published - got;
  console.log(
    `${label.padEnd(40)}       ${fmtRate(eventsPerS).padStart(8)} events/s (${got} delivered of ${published} published in ${seconds.toFixed(2)} s` +
      `${lost ? `, ${lost} LOST` : ''})`,
  );
  return { published, delivered: got, seconds, eventsPerS };
}

function fmtRate(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  return v >= 1e6
    ? `${(v / 1e6).toFixed(2)}M`
    : v >= 1e3
      ? `${(v / 1e3).toFixed(1)}k`
      : v.toFixed(0);
}
function fmtUs(v: number): string {
  return Number.isFinite(v)
    ? v < 10
      ? v.toFixed(2)
      : v < 1000
        ? v.toFixed(1)
        : v.toFixed(0)
    : 'n/a';
}

// ── in-process ─────────────────────────────────────────────────────────────────────────

async function inProcess(
  sync: boolean,
): Promise<{ c1: RunResult; c100: RunResult; eventsPerS?: number }> {
  const orch = new Orchestrator({
    bus: { kind: 'memory' },
    logger,
    contracts: [orchestratorV1, echoV1],
    collectProcessMetrics: false,
  });
  orch.register(echoBlock({ sync }));
  await orch.start();
  try {
    const client = orch.client('bench');
    const call = (n: number) => client.request('bench-echo:v1', 'echo', { n });
    const check = await call(42);
    if (check.n !== 42) throw new Error(`echo answered ${JSON.stringify(check)}`);
    const kind = sync ? 'sync handler' : 'async handler';
    const c1 = await measure(`in-process (memory bus, ${kind})`, call, {
      concurrency: 1,
      warmupMs: IN_WARMUP_MS,
      durationMs: IN_DURATION_MS,
      checkMask: 255,
      sampleEvery: 16,
    });
    const c100 = await measure(`in-process (memory bus, ${kind})`, call, {
      concurrency: 100,
      warmupMs: IN_WARMUP_MS,
      durationMs: IN_DURATION_MS,
      checkMask: 255,
      sampleEvery: 16,
    });
    if (sync) return { c1, c100 };
    const source = 'bench-events';
    const events = await floodEvents(
      'in-process durable events (memory bus)',
      orch.client(source),
      async () => (await client.request('bench-echo:v1', 'count', { source })).n,
      {
        durationMs: EVENTS_DURATION_MS,
        window: 1000,
        maxWindowsAhead: 0, // memory delivery completes within each window
        drainTimeoutMs: 1000,
      },
    );
    return { c1, c100, eventsPerS: events.eventsPerS };
  } finally {
    await orch.stop();
  }
}

// ── over Redis, two processes ──────────────────────────────────────────────────────────

let child: ChildProcess | undefined;

function killChild(): void {
  if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
}
process.on('exit', killChild);
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(sig, () => {
    killChild();
    process.exit(130);
  });
}

function startChild(nodeId: string): Promise<string> {
  const c = spawn(process.execPath, ['--import', 'tsx', join(HERE, 'support', 'bus-server.ts')], {
    cwd: ROOT,
    env: { ...process.env, BENCH_NODE_ID: nodeId, BENCH_REDIS_URL: REDIS_URL },
    stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
  });
  child = c;
  // Anything the child prints goes to stderr so it can never follow the final JSON line.
  c.stdout!.on('data', (d: Buffer) => process.stderr.write(`[bus-server] ${d.toString()}`));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error('bus-server did not become ready within 20 s')),
      20_000,
    );
    c.on('message', (m: { type?: string; nodeId?: string; error?: string }) => {
      if (m.type === 'ready') {
        clearTimeout(timer);
        resolve(m.nodeId!);
      } else if (m.type === 'failed') {
        clearTimeout(timer);
        reject(new Error(`bus-server failed: ${m.error}`));
      }
    });
    c.on('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`bus-server exited early (code ${code}, signal ${signal})`));
    });
  });
}

async function stopChild(): Promise<void> {
  const c = child;
  if (!c || c.exitCode !== null || c.signalCode !== null) return;
  const exited = new Promise<void>((r) => c.once('exit', () => r()));
  if (c.connected) c.send({ type: 'stop' });
  else c.kill('SIGTERM');
  const timer = setTimeout(() => c.kill('SIGKILL'), 3000);
  await exited;
  clearTimeout(timer);
}

async function overRedis(): Promise<{ c1: RunResult; c100: RunResult; eventsPerS: number }> {
  const tag = randomBytes(3).toString('hex');
  const childNode = `bench-echo-${process.pid}-${tag}`;
  const orch = new Orchestrator({
    bus: { kind: 'redis', url: REDIS_URL },
    logger,
    contracts: [orchestratorV1, echoV1],
    collectProcessMetrics: false,
    nodeId: `bench-caller-${process.pid}-${tag}`,
  });
  try {
    const [readyNode] = await Promise.all([startChild(childNode), orch.start()]);
    // Wait until the registry shows the echo block (learned from the child's heartbeat).
    const deadline = performance.now() + 10_000;
    while (!orch.registry.pickServer('bench-echo:v1')) {
      if (performance.now() > deadline)
        throw new Error('the echo block never appeared in the registry');
      await new Promise((r) => setTimeout(r, 20));
    }
    const others = orch.registry
      .instancesOf('bench-echo')
      .filter((i) => i.node_id !== readyNode && orch.registry.isServing(i));
    if (others.length)
      console.warn(
        `warning: ${others.length} other echo instance(s) on this Redis share the load (${others.map((i) => i.node_id).join(', ')})`,
      );
    const client = orch.client('bench');
    const call = (n: number) => client.request('bench-echo:v1', 'echo', { n });
    const check = await call(7);
    if (check.n !== 7) throw new Error(`echo answered ${JSON.stringify(check)}`);
    const c1 = await measure('redis (2 processes, async handler)', call, {
      concurrency: 1,
      warmupMs: REDIS_WARMUP_MS,
      durationMs: REDIS_DURATION_MS,
      checkMask: 15,
      sampleEvery: 1,
    });
    const c100 = await measure('redis (2 processes, async handler)', call, {
      concurrency: 100,
      warmupMs: REDIS_WARMUP_MS,
      durationMs: REDIS_DURATION_MS,
      checkMask: 63,
      sampleEvery: 1,
    });
    const source = `bench-events-${tag}`;
    const events = await floodEvents(
      'redis durable events (2 processes)',
      orch.client(source),
      async () => (await client.request('bench-echo:v1', 'count', { source })).n,
      {
        durationMs: EVENTS_DURATION_MS,
        window: 1000,
        maxWindowsAhead: 8,
        drainTimeoutMs: 1500,
      },
    );
    return { c1, c100, eventsPerS: events.eventsPerS };
  } finally {
    await stopChild().catch(() => killChild());
    await orch.stop().catch(() => {});
  }
}

// ── main ───────────────────────────────────────────────────────────────────────────────

async function main(): Promise<void> {
  const began = performance.now();
  const loadBefore = loadavg()[0];
  console.log(
    `bench:bus — node ${process.version}, ${cpus().length} cpus, load ${loadBefore.toFixed(2)}, redis ${REDIS_URL}${quick ? ' (quick)' : ''}`,
  );
  const inAsync = await inProcess(false);
  const inSync = await inProcess(true);
  const redis = await overRedis();

  const loadAfter = loadavg()[0];
  if (Math.max(loadBefore, loadAfter) > cpus().length) {
    console.log(
      `note: load average ${loadBefore.toFixed(1)} → ${loadAfter.toFixed(1)} on ${cpus().length} cpus: other processes compete for the CPU; figures are low and noisy`,
    );
  }
  const r = (v: number) => Math.round(v);
  const us = (v: number) => Math.round(v * 100) / 100;
  const targets = {
    inprocess: Math.max(inAsync.c1.callsPerS, inAsync.c100.callsPerS) >= 1_000_000,
    redis: redis.c100.callsPerS >= 20_000,
  };
  console.log(
    `bus: in-process ${fmtRate(inAsync.c1.callsPerS)} calls/s (c1), ${fmtRate(inAsync.c100.callsPerS)} (c100) [sync handler ${fmtRate(inSync.c1.callsPerS)} / ${fmtRate(inSync.c100.callsPerS)}], ` +
      `${fmtRate(inAsync.eventsPerS!)} durable events/s | redis ${fmtRate(redis.c1.callsPerS)} calls/s (c1, p50 ${fmtUs(redis.c1.p50Us)} µs), ` +
      `${fmtRate(redis.c100.callsPerS)} (c100, p99 ${fmtUs(redis.c100.p99Us)} µs), ${fmtRate(redis.eventsPerS)} durable events/s | ` +
      `anchor: moleculer ≈1.2M in-process, 9–16k over Redis on this machine; targets ≥1M in-process ${targets.inprocess ? 'MET' : 'MISSED'}, ` +
      `≥20k Redis c100 ${targets.redis ? 'MET' : 'MISSED'} (${((performance.now() - began) / 1000).toFixed(1)} s)`,
  );
  const json = {
    inprocess_c1_calls_per_s: r(inAsync.c1.callsPerS),
    inprocess_c100_calls_per_s: r(inAsync.c100.callsPerS),
    inprocess_c1_p50_us: us(inAsync.c1.p50Us),
    inprocess_c1_p99_us: us(inAsync.c1.p99Us),
    inprocess_c100_p50_us: us(inAsync.c100.p50Us),
    inprocess_c100_p99_us: us(inAsync.c100.p99Us),
    inprocess_sync_c1_calls_per_s: r(inSync.c1.callsPerS),
    inprocess_sync_c100_calls_per_s: r(inSync.c100.callsPerS),
    inprocess_sync_c1_p50_us: us(inSync.c1.p50Us),
    inprocess_sync_c1_p99_us: us(inSync.c1.p99Us),
    redis_c1_calls_per_s: r(redis.c1.callsPerS),
    redis_c100_calls_per_s: r(redis.c100.callsPerS),
    redis_c1_p50_us: us(redis.c1.p50Us),
    redis_c1_p99_us: us(redis.c1.p99Us),
    redis_c100_p50_us: us(redis.c100.p50Us),
    redis_c100_p99_us: us(redis.c100.p99Us),
    redis_events_per_s: r(redis.eventsPerS),
    inprocess_events_per_s: r(inAsync.eventsPerS!),
    target_inprocess_met: targets.inprocess,
    target_redis_c100_met: targets.redis,
    loadavg_1m_start: Math.round(loadBefore * 100) / 100,
    loadavg_1m_end: Math.round(loadAfter * 100) / 100,
    node_version: process.version,
    cpus: cpus().length,
    duration_s: Math.round((performance.now() - began) / 100) / 10,
  };
  console.log(JSON.stringify(json));
}

main().then(
  () => process.exit(0),
  (err) => {
    killChild();
    console.error(
      `bench:bus failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`,
    );
    process.exit(1);
  },
);
