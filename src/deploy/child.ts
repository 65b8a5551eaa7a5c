/**
 * One child process of the supervisor as the supervisor tracks it: its state across restarts,
 * the environment it is started with (gateway or block process), and how its output lines are
 * passed on to the supervisor's own stdout.
 */
import type { ChildProcess } from 'node:child_process';
import { Backoff, type BackoffSettings } from './backoff.ts';

export const GATEWAY = 'gateway';

export interface ChildInfo {
  name: string; // a block id, or 'gateway'
  pid: number | null;
  state: 'starting' | 'running' | 'backoff' | 'stopped';
  restarts: number;
  url: string | null; // the child's own HTTP base URL once ready
  lastExit: { code: number | null; signal: string | null; at: number } | null;
  startedAt: number | null;
}

export class Child {
  info: ChildInfo;
  proc: ChildProcess | null = null;
  /** READY seen from the current process (cleared the moment it is killed or exits). */
  ready = false;
  timer: NodeJS.Timeout | null = null;
  readonly backoff: Backoff;
  /** Last lines of stderr, quoted when the child cannot start. */
  tail: string[] = [];

  constructor(
    name: string,
    readonly args: string[],
    backoff: BackoffSettings,
  ) {
    this.info = {
      name,
      pid: null,
      state: 'stopped',
      restarts: 0,
      url: null,
      lastExit: null,
      startedAt: null,
    };
    this.backoff = new Backoff(backoff);
  }
}

/**
 * The environment of a child: the supervisor's, plus what makes it a gateway on the public port
 * or a block process on a free local port behind the gateway.
 */
export function childEnv(
  name: string,
  env: Record<string, string>,
  gatewayPort: string,
  gatewayHost: string,
): Record<string, string> {
  const shared = { WSOPTV_EXIT_WITH_PARENT: 'true', WSOPTV_ADVERTISE_URL: '' };
  if (name === GATEWAY)
    return { ...env, ...shared, PORT: gatewayPort, HOST: gatewayHost, WSOPTV_BLOCKS: '' };
  // Block processes sit behind the gateway: they take its X-Forwarded-For as the viewer's address.
  return {
    ...env,
    ...shared,
    PORT: '0',
    HOST: '127.0.0.1',
    WSOPTV_SERVE_WEB: 'false',
    WSOPTV_TRUST_PROXY: 'true',
  };
}

/** Passes one output line of a child on; keeps the last lines of stderr for error reports. */
export function relayLine(c: Child, proc: ChildProcess, line: string, stderr: boolean): void {
  if (stderr) {
    c.tail.push(line);
    if (c.tail.length > 20) c.tail.shift();
  }
  // JSON log lines pass as they are; anything else is wrapped so the stream stays JSON per line.
  const out = line.startsWith('{')
    ? line
    : JSON.stringify({
        level: stderr ? 50 : 30,
        time: new Date().toISOString(),
        child: c.info.name,
        pid: proc.pid,
        msg: line,
      });
  process.stdout.write(`${out}\n`);
}
