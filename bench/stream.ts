/**
 * `npm run bench:stream`: random 1 MiB range requests on a 256 MiB file, WSOPTV's stream
 * endpoint against nginx serving the same file, in one run, in interleaved rounds.
 *
 * WSOPTV runs in this process: the real stream block in a real host (Fastify, orchestrator,
 * memory bus) with mocks of cache:v1, content:v1 and auth:v1 built from their contracts. Every
 * request takes the full check path of a signed media URL: HMAC verification, playback-session
 * lookup, touch_stream_slot over the bus, open + fstat, Range evaluation, a 1 MiB read stream.
 * 50 viewers (50 users, one media URL each, one keep-alive connection each).
 * nginx runs as a child (`daemon off`, `sendfile on`, access log off, one worker by default:
 * one server process each; BENCH_NGINX_WORKERS to change). The load generator
 * (bench/support/stream-load.ts) is one separate process driving both targets in turn.
 * The machine has 2 cores and may be shared, so the targets alternate in short rounds (order
 * flipped every round) and server CPU time per request is reported too: it does not depend on
 * what else runs.
 *
 * Environment: BENCH_ROUNDS (4), BENCH_ROUND_MS (2500), BENCH_WARMUP_MS (500, per round),
 * BENCH_CONCURRENCY (50), BENCH_CHUNK (1048576 bytes per range), BENCH_NGINX_WORKERS (1),
 * BENCH_LOG_LEVEL (info: the production default, one log line per request, to a file).
 * Output: a report, then LAST one JSON line.
 */
import { spawn } from 'node:child_process';
import { randomFillSync } from 'node:crypto';
import {
  closeSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeSync,
} from 'node:fs';
import type { AddressInfo } from 'node:net';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import { pino } from 'pino';
import { authV1, cacheV1, contentV1, mockBlock, type User } from '../src/orchestration/index.ts';
import { loadConfig } from '../src/app/config.ts';
import { buildHost } from '../src/app/host.ts';
import streamBlock from '../src/blocks/stream/index.ts';
import { NGINX, nginxInstalled, startNginx } from '../src/blocks/stream/tests/nginx.ts';
import type { LoadCommand, LoadResult } from './support/stream-load.ts';

const HERE = dirname(fileURLToPath(import.meta.url));
const SIZE = 256 * 1024 * 1024;
const CHUNK = Number(process.env.BENCH_CHUNK ?? 1024 * 1024);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 4);
const ROUND_MS = Number(process.env.BENCH_ROUND_MS ?? 2500);
const WARMUP_MS = Number(process.env.BENCH_WARMUP_MS ?? 500);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 50);
const NGINX_WORKERS = Number(process.env.BENCH_NGINX_WORKERS ?? 1);
const LOG_LEVEL = (process.env.BENCH_LOG_LEVEL ?? 'info') as 'info';

function makeFile(dir: string): string {
  const path = join(dir, 'WSOP', 'bench.mp4');
  mkdirSync(dirname(path), { recursive: true });
  const fd = openSync(path, 'w');
  const buf = Buffer.allocUnsafe(1024 * 1024);
  for (let i = 0; i < SIZE / buf.length; i++) writeSync(fd, randomFillSync(buf));
  closeSync(fd);
  return path;
}

/** One load-generator process for the whole run; `run` sends it a command and awaits its answer. */
function generator() {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join(HERE, 'support', 'stream-load.ts')],
    { stdio: ['pipe', 'pipe', 'inherit'] },
  );
  const waiting: Array<(r: LoadResult) => void> = [];
  createInterface({ input: child.stdout }).on('line', (line) =>
    waiting.shift()?.(JSON.parse(line)),
  );
  return {
    pid: child.pid!,
    run(urls: string[], file: string): Promise<LoadResult> {
      const c: LoadCommand = {
        urls,
        file,
        size: SIZE,
        chunk: CHUNK,
        concurrency: CONCURRENCY,
        warmupMs: WARMUP_MS,
        durationMs: ROUND_MS,
      };
      child.stdin.write(`${JSON.stringify(c)}\n`);
      return new Promise((resolve, reject) => {
        waiting.push(resolve);
        child.once('exit', (code) => reject(new Error(`load generator exited with ${code}`)));
      });
    },
    stop: () => child.stdin.end(),
  };
}

/** CPU time (ms) of a process and its children, from /proc (nginx: master + workers). */
function procCpuMs(pid: number): number {
  const ticks = (p: string) => {
    const f = readFileSync(`/proc/${p}/stat`, 'utf8')
      .slice(readFileSync(`/proc/${p}/stat`, 'utf8').lastIndexOf(')') + 2)
      .split(' ');
    return { ppid: Number(f[1]), cpu: Number(f[11]) + Number(f[12]) };
  };
  let total = 0;
  for (const p of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      const t = ticks(p);
      if (Number(p) === pid || t.ppid === pid) total += t.cpu;
    } catch {
      /* gone */
    }
  }
  return total * 10; // USER_HZ = 100
}

interface Totals {
  requests: number;
  bytes: number;
  seconds: number;
  errors: number;
  checked: number;
  latencies: number[];
  serverCpuMs: number;
  genCpuMs: number;
  perRound: number[];
}
const totals = (): Totals => ({
  requests: 0,
  bytes: 0,
  seconds: 0,
  errors: 0,
  checked: 0,
  latencies: [],
  serverCpuMs: 0,
  genCpuMs: 0,
  perRound: [],
});

function add(t: Totals, r: LoadResult, serverCpuMs: number): void {
  t.requests += r.requests;
  t.bytes += r.bytes;
  t.seconds += r.seconds;
  t.errors += r.errors;
  t.checked += r.checked;
  t.latencies.push(...r.latencies);
  t.serverCpuMs += serverCpuMs;
  t.genCpuMs += r.cpu_ms;
  t.perRound.push(r.requests / r.seconds);
}

function summary(t: Totals) {
  const l = t.latencies.sort((a, b) => a - b);
  const pct = (p: number) => l[Math.min(l.length - 1, Math.floor((p / 100) * l.length))] ?? NaN;
  // Server CPU is measured over warm-up + window; scale to the window's share of the time.
  const windowShare = ROUND_MS / (ROUND_MS + WARMUP_MS);
  return {
    rps: t.requests / t.seconds,
    mb_per_s: t.bytes / 1e6 / t.seconds,
    p50_ms: pct(50),
    p99_ms: pct(99),
    errors: t.errors,
    checked: t.checked,
    server_cpu_ms_per_req: (t.serverCpuMs * windowShare) / t.requests,
    generator_cpu_ms_per_req: t.genCpuMs / t.requests,
    per_round_rps: t.perRound.map((x) => Math.round(x)),
  };
}

async function startWsoptv(library: string, data: string, file: string) {
  const now = new Date().toISOString();
  const user = (id: string): User => ({
    id,
    email: `${id}@bench.test`,
    username: id,
    full_name: null,
    role: 'user',
    status: 'active',
    status_reason: null,
    created_at: now,
    approved_at: now,
    last_login_at: null,
  });
  const slots = new Map<string, string>();
  const cache = mockBlock(
    'cache:v1',
    {
      get_stream_path: () => ({ path: file, tier: 'nas' as const, size: SIZE, mtime_ms: 0 }),
      acquire_stream_slot: ({ user_id, session_id }) => {
        slots.set(session_id, user_id);
        return {
          granted: true,
          reason: null,
          limit: null,
          queue_position: null,
          active_for_user: 1,
          active_total: slots.size,
        };
      },
      touch_stream_slot: ({ session_id }) => ({ active: slots.has(session_id) }),
      release_stream_slot: ({ session_id }) => (slots.delete(session_id), { ok: true as const }),
    },
    Object.keys(cacheV1.actions),
  );
  const content = mockBlock(
    'content:v1',
    {
      get_content: ({ content_id }) => ({
        id: content_id,
        title: 'bench',
        description: '',
        catalog: 'WSOP',
        duration_seconds: 3600,
        file_size: SIZE,
        media_path: 'WSOP/bench.mp4',
        thumbnail_url: null,
        added_at: now,
        metadata: {},
      }),
      record_play: () => ({ plays_last_24h: 1 }),
    },
    Object.keys(contentV1.actions),
  );
  const auth = mockBlock(
    'auth:v1',
    {
      validate_token: ({ token }) => ({
        user: user(token),
        session_id: `s-${token}`,
        expires_at: new Date(Date.now() + 3600_000).toISOString(),
      }),
      get_user: ({ user_id }) => user(user_id),
      get_active_sessions: ({ user_id = '' }) => [
        { session_id: `s-${user_id}`, user_id, created_at: now, expires_at: now, client_ip: null },
      ],
    },
    Object.keys(authV1.actions),
  );
  mkdirSync(data, { recursive: true });
  const logFile = join(data, 'wsoptv.log');
  const logger = pino({ level: LOG_LEVEL }, pino.destination({ dest: logFile, sync: false }));
  const config = loadConfig({
    WSOPTV_DATA_DIR: data,
    WSOPTV_LIBRARY_DIR: library,
    WSOPTV_STREAM_MAX_PER_USER: '3',
    WSOPTV_STREAM_MAX_TOTAL: String(CONCURRENCY * 2),
    LOG_LEVEL,
  });
  const app = await buildHost(config, logger, [
    streamBlock,
    cache.manifest,
    content.manifest,
    auth.manifest,
  ]);
  await app.http.listen({ port: 0, host: '127.0.0.1' });
  const base = `http://127.0.0.1:${(app.http.server.address() as AddressInfo).port}`;
  // One viewer per connection: each user asks /info for a signed media URL, as the web player does.
  const urls: string[] = [];
  for (let i = 0; i < CONCURRENCY; i++) {
    const res = await app.http.inject({
      method: 'GET',
      url: '/api/stream/bench-content/info',
      headers: { authorization: `Bearer viewer${i}` },
    });
    if (res.statusCode !== 200) throw new Error(`info failed: ${res.body}`);
    urls.push(`${base}${res.json().url}`);
  }
  return {
    app,
    urls,
    active: () => app.orchestrator.client('admin').request('stream:v1', 'get_active_streams', {}),
  };
}

type Summary = ReturnType<typeof summary>;
const fmt = (l: Summary) =>
  `${l.rps.toFixed(0).padStart(6)} req/s ${l.mb_per_s.toFixed(0).padStart(6)} MB/s  p50 ${l.p50_ms.toFixed(1).padStart(6)} ms  p99 ${l.p99_ms.toFixed(1).padStart(6)} ms  server CPU ${l.server_cpu_ms_per_req.toFixed(3)} ms/req  errors ${l.errors}  rounds ${l.per_round_rps.join('/')}`;

async function main(): Promise<void> {
  if (!nginxInstalled) {
    // The anchor is nginx on this machine, in the same run: without it there is no figure.
    console.error(`bench:stream needs nginx at ${NGINX} (apt-get install -y nginx, or NGINX=path)`);
    process.exit(2);
  }
  const root = mkdtempSync(join(tmpdir(), 'wsoptv-bench-stream-'));
  const library = join(root, 'library');
  const started = performance.now();
  const file = makeFile(library);
  console.log(
    `file: ${SIZE / 1024 ** 2} MiB random bytes; ${CONCURRENCY} keep-alive connections, random ${CHUNK / 1024} KiB ranges; ${ROUNDS} interleaved rounds of ${ROUND_MS / 1000} s per target (after ${WARMUP_MS / 1000} s warm-up each); ${cpus().length} CPU(s), load average ${loadavg()[0].toFixed(1)}; Node ${process.version}`,
  );
  const w = await startWsoptv(library, join(root, 'data'), file);
  const nginx = await startNginx(() => `    location /media/ { alias ${library}/; }`, {
    workers: NGINX_WORKERS,
  });
  const nginxPid = Number(readFileSync(join(nginx.prefix, 'nginx.pid'), 'utf8'));
  const gen = generator();
  const W = totals();
  const N = totals();
  try {
    const targets = {
      wsoptv: async () => {
        const cpu0 = process.cpuUsage();
        const r = await gen.run(w.urls, file);
        const cpu = process.cpuUsage(cpu0);
        add(W, r, (cpu.user + cpu.system) / 1000);
      },
      nginx: async () => {
        const cpu0 = procCpuMs(nginxPid);
        const r = await gen.run([`http://127.0.0.1:${nginx.port}/media/WSOP/bench.mp4`], file);
        add(N, r, procCpuMs(nginxPid) - cpu0);
      },
    };
    // Interleaved, alternating order: a neighbour's load or a warm cache favours neither target.
    for (let i = 0; i < ROUNDS; i++)
      for (const t of i % 2 ? (['nginx', 'wsoptv'] as const) : (['wsoptv', 'nginx'] as const))
        await targets[t]();
    const sessions = await w.active();
    const ws = summary(W);
    const ns = summary(N);
    console.log(
      `WSOPTV ${fmt(ws)}  (${sessions.length} playback sessions, log level ${LOG_LEVEL})`,
    );
    console.log(`nginx  ${fmt(ns)}  (${NGINX_WORKERS} worker, sendfile on)`);
    const ratio = ws.rps / ns.rps;
    console.log(
      `ratio WSOPTV / nginx: ${ratio.toFixed(2)} (target >= 0.60: ${ratio >= 0.6 ? 'met' : 'MISSED'}); generator CPU ${ws.generator_cpu_ms_per_req.toFixed(3)} / ${ns.generator_cpu_ms_per_req.toFixed(3)} ms/req; run took ${((performance.now() - started) / 1000).toFixed(1)} s`,
    );
    const r = (x: number, d = 1) => Math.round(x * 10 ** d) / 10 ** d;
    console.log(
      JSON.stringify({
        wsoptv_rps: r(ws.rps),
        wsoptv_mb_per_s: r(ws.mb_per_s),
        wsoptv_p50_ms: r(ws.p50_ms, 2),
        wsoptv_p99_ms: r(ws.p99_ms, 2),
        wsoptv_errors: ws.errors,
        wsoptv_cpu_ms_per_req: r(ws.server_cpu_ms_per_req, 3),
        nginx_rps: r(ns.rps),
        nginx_mb_per_s: r(ns.mb_per_s),
        nginx_p50_ms: r(ns.p50_ms, 2),
        nginx_p99_ms: r(ns.p99_ms, 2),
        nginx_errors: ns.errors,
        nginx_cpu_ms_per_req: r(ns.server_cpu_ms_per_req, 3),
        ratio: r(ratio, 3),
        target_met: ratio >= 0.6,
        bytes_checked: ws.checked + ns.checked,
        concurrency: CONCURRENCY,
        chunk_bytes: CHUNK,
        file_bytes: SIZE,
        rounds: ROUNDS,
        round_ms: ROUND_MS,
        nginx_workers: NGINX_WORKERS,
        log_level: LOG_LEVEL,
        cpus: cpus().length,
        load_average: r(loadavg()[0], 2),
      }),
    );
  } finally {
    gen.stop();
    await nginx.stop();
    await w.app.close();
    rmSync(root, { recursive: true, force: true });
  }
}

await main();
