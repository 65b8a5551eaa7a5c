/**
 * The deployment the chaos suite attacks: a throw-away Redis with AOF persistence (so a Redis
 * restart keeps the durable event streams and the job queue, as a production Redis would), a
 * generated library of real MP4s, a fresh data directory, and WSOPTV itself — one process per
 * block plus the gateway, started and restarted by src/deploy/supervisor.ts.
 *
 * CHAOS_MODE=inprocess runs every block in this test process instead (buildApp on the Redis
 * bus; a "kill" is stopBlock + restartBlock). It exists to debug the suite itself and measures
 * nothing about process isolation; the suite never picks it on its own.
 */
import { createWriteStream, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Supervisor, type ChildInfo } from '../../src/deploy/supervisor.ts';
import pino, { type Logger } from 'pino';
import { makeLibrary } from '../support/media.ts';
import { startThrowawayRedis, testBusSecret, type ThrowawayRedis } from '../support/redis.ts';
import { postgresUrl } from '../support/databases.ts';
import { dropPostgresSchemas } from '../../src/platform/database/index.ts';
import { waitFor } from '../support/wait.ts';
import { request } from './http.ts';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const RESULTS = join(ROOT, 'test-results');
export const LOG_DIR = join(RESULTS, 'chaos');
export const BLOCKS = ['auth', 'content', 'cache', 'stream', 'search', 'worker', 'admin'] as const;
export type BlockId = (typeof BLOCKS)[number];

export const ADMIN = { email: 'admin@chaos.test', password: 'Chaos-admin-1!', username: 'admin' };
export const VIEWER_PASSWORD = 'Chaos-viewer-1!';

/** The library every run starts with: the start-up scan turns these into items. */
export const LIBRARY: Record<string, { seconds: number }> = {
  'WSOP/2024/Main_Event_Day_1.mp4': { seconds: 3 },
  'WSOP/2024/Main_Event_Day_2.mp4': { seconds: 3 },
  'WSOP/2023/High_Roller_Final_Table.mp4': { seconds: 3 },
  'HCL/Season_12/Episode_1.mp4': { seconds: 2 },
  'HCL/Season_12/Episode_2.mp4': { seconds: 2 },
  'EPT/Barcelona/Main_Event_Final.mp4': { seconds: 2 },
};

export type { ChildInfo };

export interface Deployment {
  mode: 'supervised' | 'inprocess';
  url: string;
  redis: ThrowawayRedis;
  namespace: string;
  secret: string;
  dataDir: string;
  libraryDir: string;
  env: Record<string, string>;
  /** Every process: name (block id or 'gateway'), pid, own base URL. */
  processes(): ChildInfo[];
  /** SIGKILL the process hosting `block`; the process manager starts it again after its backoff. */
  kill(block: BlockId): void;
  waitReady(name: string, timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Restart delay after a kill: long enough to look at the fallbacks while the block is really gone.
 */
export const RESTART_BACKOFF_MS = 2500;

export async function startDeployment(): Promise<Deployment> {
  mkdirSync(LOG_DIR, { recursive: true });
  const redis = await startThrowawayRedis(5000, { persistent: true });
  const dataDir = mkdtempSync(join(tmpdir(), 'wsoptv-chaos-data-'));
  const libraryDir = mkdtempSync(join(tmpdir(), 'wsoptv-chaos-library-'));
  makeLibrary(libraryDir, LIBRARY);
  mkdirSync(join(libraryDir, 'Chaos'), { recursive: true });
  const namespace = `chaos${process.pid}`;
  const database = process.env.CHAOS_DB === 'postgres' ? 'postgres' : 'sqlite';
  const schemaPrefix = `chaos_${process.pid}`;
  const env: Record<string, string> = {
    REDIS_URL: redis.url,
    WSOPTV_BUS_SECRET: testBusSecret,
    WSOPTV_BUS_NAMESPACE: namespace,
    WSOPTV_DATA_DIR: dataDir,
    WSOPTV_LIBRARY_DIR: libraryDir,
    WSOPTV_ADMIN_EMAIL: ADMIN.email,
    WSOPTV_ADMIN_PASSWORD: ADMIN.password,
    WSOPTV_BCRYPT_COST: '4',
    // warn: every 5xx (logged at error) and every dropped bus message stay in the logs, the
    // ~40 request lines a second of the load do not.
    LOG_LEVEL: 'warn',
    WSOPTV_SERVE_WEB: 'false',
    WSOPTV_SCAN_ON_START: 'true',
    // A request to a process that has just died waits for this before the fallback answers;
    // the 5 s default would put every such request at the load's 5 s deadline.
    WSOPTV_REQUEST_TIMEOUT_MS: '2000',
    // A job whose worker was killed mid-run is claimed again after this lease.
    WSOPTV_JOB_LEASE_MS: '4000',
    WSOPTV_JOB_BACKOFF_MS: '500',
    WSOPTV_WORKER_CONCURRENCY: '2',
    // The load keeps one playback per viewer and stops it before the next; slots of playbacks
    // whose stop could not be delivered (stream down) idle out quickly.
    WSOPTV_STREAM_MAX_PER_USER: '10',
    WSOPTV_STREAM_MAX_TOTAL: '60',
    WSOPTV_STREAM_IDLE_MS: '15000',
    // CHAOS_DB=postgres runs the same suite with every block in its own PostgreSQL schema.
    DATABASE_URL: database === 'postgres' ? postgresUrl : '',
    WSOPTV_DB_SCHEMA_PREFIX: schemaPrefix,
    MEILI_URL: '',
  };
  const logger = pino(
    { level: 'info' },
    pino.destination({ dest: join(LOG_DIR, 'deployment.log'), sync: false, mkdir: true }),
  );

  const mode = process.env.CHAOS_MODE === 'inprocess' ? 'inprocess' : 'supervised';
  const base = { redis, namespace, secret: testBusSecret, dataDir, libraryDir, env };
  const cleanup = async () => {
    await redis.remove();
    if (database === 'postgres')
      await dropPostgresSchemas(postgresUrl, schemaPrefix).catch(() => {});
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(libraryDir, { recursive: true, force: true });
  };
  try {
    const dep =
      mode === 'supervised'
        ? await supervised(base, logger, cleanup)
        : await inProcess(base, logger, cleanup);
    await waitAllHealthy(dep.url, 60_000);
    return dep;
  } catch (err) {
    await cleanup();
    throw err;
  }
}

type Base = Pick<Deployment, 'redis' | 'namespace' | 'secret' | 'dataDir' | 'libraryDir' | 'env'>;

async function supervised(
  base: Base,
  logger: Logger,
  cleanup: () => Promise<void>,
): Promise<Deployment> {
  // The supervisor passes every child's log lines to this process's stdout; in the suite they go
  // to test-results/chaos/deployment.log instead (the 5xx hunt reads them back by correlation id).
  const restoreStdout = captureStdout(join(LOG_DIR, 'deployment.log'));
  const sup = new Supervisor({
    env: base.env,
    port: 0,
    host: '127.0.0.1',
    backoff: { initialMs: RESTART_BACKOFF_MS, maxMs: 5000, resetAfterMs: 5000 },
    logger,
  });
  await sup.start();
  for (const b of [...BLOCKS, 'gateway']) await sup.waitReady(b, 60_000);
  return {
    ...base,
    mode: 'supervised',
    url: sup.url.replace(/\/$/, ''),
    processes: () => sup.children(),
    kill: (block) => sup.kill(block, 'SIGKILL'),
    waitReady: (name, timeoutMs) => sup.waitReady(name, timeoutMs),
    stop: async () => {
      await sup.stop();
      restoreStdout();
      await cleanup();
    },
  };
}

/** Sends JSON lines written to process.stdout to `file` until the returned function is called. */
function captureStdout(file: string): () => void {
  const out = createWriteStream(file, { flags: 'a' });
  const original = process.stdout.write.bind(process.stdout);
  process.stdout.write = (chunk: string | Uint8Array, ...rest: unknown[]) => {
    const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString();
    if (text.startsWith('{')) {
      out.write(text);
      const cb = rest.find((r) => typeof r === 'function') as (() => void) | undefined;
      cb?.();
      return true;
    }
    return original(chunk, ...(rest as []));
  };
  return () => {
    process.stdout.write = original;
    out.end();
  };
}

async function inProcess(
  base: Base,
  logger: Logger,
  cleanup: () => Promise<void>,
): Promise<Deployment> {
  const { loadConfig } = await import('../../src/app/config.ts');
  const { buildApp } = await import('../../src/app/server.ts');
  const app = await buildApp(loadConfig({ ...base.env, PORT: '0' }), logger);
  const url = (await app.http.listen({ port: 0, host: '127.0.0.1' })).replace(/\/$/, '');
  void app.orchestrator.advertiseHttp(url);
  const down = new Map<string, Promise<void>>();
  const info = (name: string): ChildInfo => ({
    name,
    pid: process.pid,
    state: down.has(name) ? 'backoff' : 'running',
    restarts: 0,
    url,
    lastExit: null,
    startedAt: null,
  });
  return {
    ...base,
    mode: 'inprocess',
    url,
    processes: () => [info('gateway')],
    kill(block) {
      const restart = (async () => {
        await app.stopBlock(block);
        await new Promise((r) => setTimeout(r, RESTART_BACKOFF_MS));
        await app.restartBlock(block);
      })().finally(() => down.delete(block));
      down.set(block, restart);
    },
    waitReady: async (name) => void (await down.get(name)),
    stop: async () => {
      await Promise.allSettled(down.values());
      await app.close();
      await cleanup();
    },
  };
}

export interface BlocksView {
  node_id: string;
  transport: { kind: string; state: string };
  blocks: Array<{
    id: string;
    status: string;
    node_id: string;
    breaker: string;
    http_url?: string | null;
  }>;
}

export async function blocksView(url: string): Promise<BlocksView | undefined> {
  const r = await request(url, '/api/blocks', { timeoutMs: 2000 }, 'observe');
  return r.status === 200 ? r.json<BlocksView>() : undefined;
}

/** Best instance per block: healthy > degraded > anything else. */
export function statusOf(view: BlocksView, block: string): string {
  const order = ['healthy', 'degraded', 'starting', 'unhealthy', 'stopped'];
  const mine = view.blocks.filter((b) => b.id === block).map((b) => b.status);
  return mine.sort((a, b) => order.indexOf(a) - order.indexOf(b))[0] ?? 'missing';
}

export async function waitAllHealthy(url: string, timeoutMs: number): Promise<number> {
  return waitFor(
    async () => {
      const v = await blocksView(url);
      return v && BLOCKS.every((b) => statusOf(v, b) === 'healthy');
    },
    timeoutMs,
    { intervalMs: 100, message: "every block healthy in the gateway's /api/blocks" },
  );
}

export function resolveLog(name: string): string {
  return resolve(LOG_DIR, name);
}
