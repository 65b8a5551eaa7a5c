/**
 * Starts WSOPTV as a real process (`node --import tsx src/main.ts`) on a free port with a data
 * directory and library of its own, embedded bus and SQLite (no Redis, no PostgreSQL), and
 * stops it again. Its output goes to test-results/e2e/<name>-server.log.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ARTIFACTS, ROOT } from './paths.ts';

export interface Server {
  url: string;
  port: number;
  dataDir: string;
  logFile: string;
  proc: ChildProcess;
  /** The last lines of the server's output, for failure messages. */
  tail: (lines?: number) => string;
  stop: () => Promise<void>;
}

export interface ServerOptions {
  name: string;
  libraryDir: string;
  admin: { email: string; password: string };
  env?: Record<string, string>;
  startTimeoutMs?: number;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() =>
        addr && typeof addr === 'object' ? resolve(addr.port) : reject(new Error('no port')),
      );
    });
  });
}

export async function startServer(opts: ServerOptions): Promise<Server> {
  mkdirSync(ARTIFACTS, { recursive: true });
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), `wsoptv-e2e-${opts.name}-`));
  const logFile = join(ARTIFACTS, `${opts.name}-server.log`);
  const log = createWriteStream(logFile);
  let recent = '';
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PORT: String(port),
    HOST: '127.0.0.1',
    LOG_LEVEL: process.env.E2E_LOG_LEVEL ?? 'info',
    WSOPTV_DATA_DIR: dataDir,
    WSOPTV_LIBRARY_DIR: opts.libraryDir,
    WSOPTV_ADMIN_EMAIL: opts.admin.email,
    WSOPTV_ADMIN_PASSWORD: opts.admin.password,
    WSOPTV_BCRYPT_COST: '4',
    WSOPTV_SERVE_WEB: 'true',
    // Embedded everything: empty means unset (see src/app/config.ts).
    REDIS_URL: '',
    DATABASE_URL: '',
    MEILI_URL: '',
    ...opts.env,
  };
  // E2E_SERVER_ENTRY: another entry script (e.g. one composing blocks not yet in
  // src/app/blocks.ts).
  const entry = process.env.E2E_SERVER_ENTRY ?? 'src/main.ts';
  const proc = spawn(process.execPath, ['--import', 'tsx', entry], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const onData = (d: Buffer) => {
    log.write(d);
    recent = (recent + d.toString()).slice(-20_000);
  };
  proc.stdout.on('data', onData);
  proc.stderr.on('data', onData);
  const exited = new Promise<number | null>((r) => proc.once('exit', (code) => r(code)));
  const tail = (lines = 40) => recent.split('\n').slice(-lines).join('\n');
  const url = `http://127.0.0.1:${port}`;

  const deadline = Date.now() + (opts.startTimeoutMs ?? 60_000);
  let up = false;
  while (Date.now() < deadline) {
    if (proc.exitCode !== null) break;
    try {
      const res = await fetch(`${url}/health`);
      await res.arrayBuffer();
      up = true; // 200 or 503: it is listening either way
      break;
    } catch {
      await new Promise((r) => setTimeout(r, 150));
    }
  }
  const stop = async () => {
    if (proc.exitCode === null && proc.signalCode === null) {
      proc.kill('SIGTERM');
      const timer = setTimeout(() => proc.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    }
    await new Promise<void>((r) => log.end(r));
    if (process.env.E2E_KEEP_DATA !== 'true') rmSync(dataDir, { recursive: true, force: true });
  };
  if (!up) {
    await stop();
    throw new Error(`WSOPTV did not start (log: ${logFile}):\n${tail()}`);
  }
  return { url, port, dataDir, logFile, proc, tail, stop };
}
