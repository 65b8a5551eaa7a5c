/**
 * One machine, every block in its own process: the supervisor starts one `wsoptv start
 * --blocks <id>` child per block and one `wsoptv gateway` child on the public port, all at
 * once, and starts again whichever exits without being asked to, after a backoff (backoff.ts).
 * A child counts as ready when it prints its READY line. Children's output reaches this
 * process's stdout one JSON line at a time.
 *
 * A child that exits with code 2 refused its configuration: starting it again would fail the
 * same way, so it stays stopped and start() fails with its message.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { Logger } from 'pino';
import { createLogger } from '../platform/logger.ts';
import { defaultBackoff } from './backoff.ts';
import { Child, GATEWAY, childEnv, relayLine, type ChildInfo } from './child.ts';
import { parseReady } from './ready-line.ts';
import { blockIds } from '../app/block-loader.ts';

export { GATEWAY, type ChildInfo } from './child.ts';

export interface SupervisorOptions {
  /**
   * Environment for every child on top of process.env (REDIS_URL and WSOPTV_BUS_SECRET are
   * required).
   */
  env: Record<string, string>;
  /** Blocks to run, one process each; default: every block in src/app/blocks.ts. */
  blocks?: string[];
  /** Public port of the gateway (0 = pick a free one). */
  port: number;
  host?: string; // default 127.0.0.1
  // defaults 250 ms, 10 s, 30 s
  backoff?: { initialMs?: number; maxMs?: number; resetAfterMs?: number };
  logger?: Logger;
}

const CLI = fileURLToPath(new URL('../cli.ts', import.meta.url));
/** Exit code of a process that refused its configuration or command line. */
const REFUSED = 2;
const STOP_GRACE_MS = 10_000;
const START_TIMEOUT_MS = 120_000;

export class Supervisor extends EventEmitter {
  private readonly kids = new Map<string, Child>();
  private readonly log: Logger;
  private readonly env: Record<string, string>;
  private stopping = false;
  private started = false;
  private gatewayUrl: string | null = null;

  constructor(private readonly opts: SupervisorOptions) {
    super();
    this.log = opts.logger ?? createLogger(opts.env.LOG_LEVEL ?? 'info');
    this.env = { ...(process.env as Record<string, string>), ...opts.env };
    if (!this.env.REDIS_URL)
      throw new Error('the supervisor needs REDIS_URL: its processes talk over the Redis bus');
    if (!this.env.WSOPTV_BUS_SECRET)
      throw new Error(
        'the supervisor needs WSOPTV_BUS_SECRET (at least 32 characters): every process signs its bus messages with it',
      );
    const known: string[] = [...blockIds];
    const blocks = opts.blocks ?? known;
    const unknown = blocks.filter((b) => !known.includes(b));
    if (unknown.length)
      throw new Error(`unknown block(s): ${unknown.join(', ')} (known: ${known.join(', ')})`);
    const backoff = { ...defaultBackoff, ...opts.backoff };
    for (const id of blocks) this.kids.set(id, new Child(id, ['start', '--blocks', id], backoff));
    this.kids.set(GATEWAY, new Child(GATEWAY, ['gateway'], backoff));
    // A listener-less 'error' event would throw; failures are reported through the logger.
    this.on('error', () => {});
  }

  get url(): string {
    if (!this.gatewayUrl)
      throw new Error('the supervisor has not started: its gateway has no URL yet');
    return this.gatewayUrl;
  }

  /** Starts every child at once; resolves when all of them printed READY. */
  async start(): Promise<void> {
    if (this.started) throw new Error('the supervisor was already started');
    this.started = true;
    const t0 = performance.now();
    for (const c of this.kids.values()) this.spawn(c);
    try {
      await Promise.all(
        [...this.kids.keys()].map((name) => this.waitReady(name, START_TIMEOUT_MS)),
      );
    } catch (err) {
      await this.stop();
      throw err;
    }
    this.log.info(
      { url: this.url, children: this.kids.size, ms: Math.round(performance.now() - t0) },
      'supervisor: every process is ready',
    );
  }

  children(): ChildInfo[] {
    return [...this.kids.values()].map((c) => ({
      ...c.info,
      lastExit: c.info.lastExit && { ...c.info.lastExit },
    }));
  }

  child(name: string): ChildInfo {
    const c = this.get(name);
    return { ...c.info, lastExit: c.info.lastExit && { ...c.info.lastExit } };
  }

  /**
   * Sends a signal to one child (SIGKILL by default); the supervisor starts it again after its
   * backoff.
   */
  kill(name: string, signal: NodeJS.Signals = 'SIGKILL'): void {
    const c = this.get(name);
    if (!c.proc || c.proc.exitCode !== null || c.proc.signalCode !== null) return;
    c.ready = false; // waitReady() from now on waits for the next process
    c.proc.kill(signal);
  }

  /** Resolves once `name` runs and its current process printed READY. */
  waitReady(name: string, timeoutMs = 30_000): Promise<void> {
    const c = this.get(name);
    if (c.ready && c.info.state === 'running') return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const cleanup = () => {
        clearTimeout(timer);
        this.off('ready', onReady);
        this.off('gave-up', onGaveUp);
      };
      const onReady = (n: string) => {
        if (n !== name) return;
        cleanup();
        resolve();
      };
      const onGaveUp = (n: string, why: string) => {
        if (n !== name) return;
        cleanup();
        reject(new Error(`${name} will not start: ${why}`));
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(
          new Error(
            `${name} was not ready within ${timeoutMs} ms (state ${c.info.state}, restarts ${c.info.restarts})${c.tail.length ? `:\n${c.tail.join('\n')}` : ''}`,
          ),
        );
      }, timeoutMs);
      this.on('ready', onReady);
      this.on('gave-up', onGaveUp);
    });
  }

  /** SIGTERM to every child, SIGKILL after a grace period; nothing is restarted meanwhile. */
  async stop(): Promise<void> {
    this.stopping = true;
    await Promise.all(
      [...this.kids.values()].map(async (c) => {
        if (c.timer) clearTimeout(c.timer);
        c.timer = null;
        const proc = c.proc;
        if (!proc || proc.exitCode !== null || proc.signalCode !== null) {
          c.info.state = 'stopped';
          return;
        }
        const exited = new Promise<void>((r) => proc.once('exit', () => r()));
        proc.kill('SIGTERM');
        const force = setTimeout(() => proc.kill('SIGKILL'), STOP_GRACE_MS);
        await exited;
        clearTimeout(force);
      }),
    );
  }

  private get(name: string): Child {
    const c = this.kids.get(name);
    if (!c)
      throw new Error(`no child named "${name}" (children: ${[...this.kids.keys()].join(', ')})`);
    return c;
  }

  private childEnv(c: Child): Record<string, string> {
    // After its first start the gateway keeps its port, so the public URL never moves.
    const port = this.gatewayUrl ? new URL(this.gatewayUrl).port : String(this.opts.port);
    return childEnv(c.info.name, this.env, port, this.opts.host ?? '127.0.0.1');
  }

  private spawn(c: Child): void {
    if (this.stopping) return;
    c.timer = null;
    const proc = spawn(process.execPath, ['--import', 'tsx', CLI, ...c.args], {
      env: this.childEnv(c),
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    c.proc = proc;
    c.ready = false;
    c.tail = [];
    c.info.pid = proc.pid ?? null;
    c.info.state = 'starting';
    c.info.url = null;
    c.info.startedAt = Date.now();
    proc.stdin.on('error', () => {});
    createInterface({ input: proc.stdout }).on('line', (line) => this.onLine(c, proc, line, false));
    createInterface({ input: proc.stderr }).on('line', (line) => this.onLine(c, proc, line, true));
    proc.once('error', (err) =>
      this.log.error({ err, child: c.info.name }, 'supervisor: cannot start a child process'),
    );
    proc.once('exit', (code, signal) => this.onExit(c, proc, code, signal));
  }

  private onLine(c: Child, proc: ChildProcess, line: string, stderr: boolean): void {
    const ready = stderr ? undefined : parseReady(line);
    if (ready) {
      if (c.proc !== proc) return;
      c.ready = true;
      c.info.state = 'running';
      c.info.url = ready.url;
      if (c.info.name === GATEWAY) this.gatewayUrl ??= ready.url;
      const ms = Date.now() - (c.info.startedAt ?? Date.now());
      this.log.info(
        { child: c.info.name, pid: proc.pid, url: ready.url, node_id: ready.node_id, ms },
        'supervisor: child ready',
      );
      this.emit('ready', c.info.name, proc.pid);
      return;
    }
    relayLine(c, proc, line, stderr);
  }

  private onExit(
    c: Child,
    proc: ChildProcess,
    code: number | null,
    signal: NodeJS.Signals | null,
  ): void {
    if (c.proc !== proc) return;
    const ranFor = Date.now() - (c.info.startedAt ?? Date.now());
    c.ready = false;
    c.info.pid = null;
    c.info.lastExit = { code, signal, at: Date.now() };
    this.emit('exit', c.info.name, code, signal);
    if (this.stopping) {
      c.info.state = 'stopped';
      this.log.info({ child: c.info.name, code, signal }, 'supervisor: child stopped');
      return;
    }
    if (code === REFUSED) {
      c.info.state = 'stopped';
      const why = c.tail.join('\n') || 'it refused its configuration (exit code 2)';
      this.log.error(
        { child: c.info.name, code, stderr: why },
        'supervisor: child refused its configuration; not restarting it',
      );
      this.emit('gave-up', c.info.name, why);
      return;
    }
    const delay = c.backoff.next(ranFor);
    c.info.state = 'backoff';
    this.log.warn(
      {
        child: c.info.name,
        code,
        signal,
        ran_ms: ranFor,
        restart_in_ms: delay,
        crashes_in_a_row: c.backoff.streak,
      },
      'supervisor: child exited unexpectedly; restarting it',
    );
    this.emit('restart', c.info.name, delay);
    c.timer = setTimeout(() => {
      c.info.restarts++;
      this.spawn(c);
    }, delay);
  }
}
