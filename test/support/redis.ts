/**
 * Redis for tests: the shared server (WSOPTV_TEST_REDIS_URL, default redis://127.0.0.1:6379)
 * and throw-away `redis-server` processes that a test may stop and start at will.
 *
 * Availability policy, decided once when this module loads:
 *   - CI=true: Redis suites always run. An unreachable server fails every test in them with a
 *     message naming the URL, so a broken CI setup can never pass as "all green, some skipped".
 *   - otherwise: an unreachable server skips the Redis suites with a loud console warning.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';
import os from 'node:os';
import { Redis } from 'ioredis';
import { beforeAll, describe, it } from 'vitest';
import { waitFor } from './wait.ts';
import { redactUrl } from '../../src/orchestration/bus/redis.ts';

export const redisUrl = process.env.WSOPTV_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
export const isCI = process.env.CI === 'true';
/**
 * Multi-process mode refuses to start without a bus secret; every test deployment on Redis uses
 * this one.
 */
export const testBusSecret = 'wsoptv-test-bus-secret-0123456789abcdef';

const redact = redactUrl;

/** One PING with a short deadline; never throws, never retries, never leaves a socket open. */
export async function redisAvailable(url: string, timeoutMs = 1000): Promise<boolean> {
  const client = new Redis(url, {
    lazyConnect: true,
    connectTimeout: timeoutMs,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    enableReadyCheck: false,
  });
  client.on('error', () => {});
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), timeoutMs);
  });
  try {
    const ping = client
      .connect()
      .then(() => client.ping())
      .then((reply) => reply === 'PONG')
      .catch(() => false);
    return await Promise.race([ping, deadline]);
  } finally {
    clearTimeout(timer);
    client.disconnect();
  }
}

/**
 * Whether Redis suites should run against `url`: true when it answers. When it does not,
 * throws under CI=true and otherwise warns loudly and returns false.
 */
export async function requireRedisOrSkip(
  url: string = redisUrl,
  what = 'Redis tests',
): Promise<boolean> {
  if (await redisAvailable(url)) return true;
  if (isCI)
    throw new Error(
      `Redis at ${redact(url)} unreachable and CI=true: ${what} must run. Start Redis or set WSOPTV_TEST_REDIS_URL.`,
    );
  console.warn(
    `⚠ Redis at ${redact(url)} unreachable: skipping ${what}. Start Redis or set WSOPTV_TEST_REDIS_URL to run them.`,
  );
  return false;
}

// Decided once per test file; a thrown error is kept rather than crashing the import so that
// it surfaces as a failing test inside the Redis suite (see describeRedis).
const sharedRedis: { run: true } | { run: false; error?: Error } = await requireRedisOrSkip(
  redisUrl,
  'the shared-Redis suites',
).then(
  (run) => (run ? { run: true as const } : { run: false as const }),
  (error: Error) => ({ run: false as const, error }),
);

/**
 * `describe` when the shared Redis answers, `describe.skip` when not (locally), failing under CI.
 */
export function describeRedis(name: string, fn: () => void): void {
  if (sharedRedis.run) {
    describe(name, fn);
  } else if (sharedRedis.error) {
    const error = sharedRedis.error;
    describe(name, () => {
      beforeAll(() => {
        throw error;
      });
      fn();
    });
  } else {
    describe.skip(name, fn);
  }
}

// ---------------------------------------------------------------------------------------------
// Throw-away redis-server processes
// ---------------------------------------------------------------------------------------------

const REDIS_SERVER = process.env.WSOPTV_TEST_REDIS_SERVER ?? 'redis-server';

function redisServerInstalled(): boolean {
  const r = spawnSync(REDIS_SERVER, ['--version'], { stdio: 'ignore' });
  return r.status === 0;
}

/**
 * Like describeRedis, for suites that start their own `redis-server`: they need the binary,
 * not the shared server. Fails under CI when it is missing, skips loudly otherwise.
 */
export function describeRedisServer(name: string, fn: () => void): void {
  if (redisServerInstalled()) {
    describe(name, fn);
  } else if (isCI) {
    describe(name, () => {
      it('needs the redis-server binary', () => {
        throw new Error(
          `${REDIS_SERVER} not found on PATH and CI=true: install redis-server (or set WSOPTV_TEST_REDIS_SERVER).`,
        );
      });
    });
  } else {
    console.warn(`⚠ ${REDIS_SERVER} not found on PATH: skipping ${name}.`);
    describe.skip(name, fn);
  }
}

/** A port nothing listens on right now (the kernel picks it; the socket is closed again). */
export async function freePort(): Promise<number> {
  return await new Promise<number>((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      if (address === null || typeof address === 'string') {
        server.close();
        reject(new Error('could not determine a free port'));
        return;
      }
      server.close(() => resolve(address.port));
    });
  });
}

export interface ThrowawayRedis {
  url: string;
  port: number;
  /** SIGTERM and wait until the process has exited. Idempotent. */
  stop(): Promise<void>;
  /**
   * Start again on the same port (stopping first if still running) and wait until it answers PING.
   */
  restart(): Promise<void>;
  /** Start after stop() (throws if it is running) and wait until it answers PING. */
  start(): Promise<void>;
  /** Where a persistent server keeps its AOF; undefined when persistence is off. */
  dataDir?: string;
  /** stop() and delete the persistent data directory. */
  remove(): Promise<void>;
}

const living = new Set<ChildProcess>();
// Backstop: a test that crashes before its afterAll must not leave servers behind.
process.once('exit', () => {
  for (const child of living) child.kill('SIGKILL');
});

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

export interface ThrowawayRedisOptions {
  /**
   * Keep data across stop/restart like a production Redis with AOF (`--appendonly yes
   * --appendfsync always`) in a directory of its own (removed by `remove()`). Off by default:
   * a plain throw-away server forgets everything when stopped.
   */
  persistent?: boolean;
}

/**
 * Starts `redis-server` on a free port bound to 127.0.0.1, persistence off unless asked for, and
 * resolves once it answers PING. The caller stops it (normally in afterAll).
 */
export async function startThrowawayRedis(
  startTimeoutMs = 5000,
  options: ThrowawayRedisOptions = {},
): Promise<ThrowawayRedis> {
  const port = await freePort();
  const url = `redis://127.0.0.1:${port}`;
  let child: ChildProcess | undefined;
  const dir = options.persistent
    ? mkdtempSync(join(os.tmpdir(), `wsoptv-redis-${port}-`))
    : os.tmpdir();
  const persistence = options.persistent
    ? ['--save', '', '--appendonly', 'yes', '--appendfsync', 'always']
    : ['--save', '', '--appendonly', 'no'];

  async function start(): Promise<void> {
    if (child && child.exitCode === null && child.signalCode === null)
      throw new Error(`throw-away Redis on port ${port} is already running`);
    let output = '';
    const proc = spawn(
      REDIS_SERVER,
      [
        '--port',
        String(port),
        '--bind',
        '127.0.0.1',
        ...persistence,
        '--dir',
        dir,
        '--protected-mode',
        'no',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    child = proc;
    living.add(proc);
    const collect = (chunk: Buffer) => {
      output = (output + chunk.toString()).slice(-4000);
    };
    proc.stdout?.on('data', collect);
    proc.stderr?.on('data', collect);
    let spawnError: Error | undefined;
    proc.once('error', (err) => {
      spawnError = err;
    });
    proc.once('exit', () => living.delete(proc));
    try {
      await waitFor(
        async () => {
          if (spawnError) throw spawnError;
          if (proc.exitCode !== null || proc.signalCode !== null)
            throw new Error(`redis-server exited (${proc.exitCode ?? proc.signalCode})`);
          return await redisAvailable(url, 250);
        },
        startTimeoutMs,
        { intervalMs: 20, message: `redis-server on port ${port} answering PING` },
      );
    } catch (err) {
      proc.kill('SIGKILL');
      await exited(proc);
      throw new Error(
        `${err instanceof Error ? err.message : String(err)}\n--- redis-server output ---\n${output}`,
      );
    }
  }

  async function stop(): Promise<void> {
    const proc = child;
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
    const gone = exited(proc);
    proc.kill('SIGTERM');
    const timer = setTimeout(() => proc.kill('SIGKILL'), 5000);
    await gone;
    clearTimeout(timer);
  }

  await start();
  return {
    url,
    port,
    stop,
    restart: async () => {
      await stop();
      await start();
    },
    dataDir: options.persistent ? dir : undefined,
    start,
    async remove() {
      await stop();
      if (options.persistent) rmSync(dir, { recursive: true, force: true });
    },
  };
}
