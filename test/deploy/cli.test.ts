/**
 * The `wsoptv` command as a real process (through bin/wsoptv.mjs): refusals happen before
 * anything starts, with exit code 2 and a message naming what is missing; and `start --blocks`
 * on Redis comes up, prints its READY line and advertises its URL.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseReady } from '../../src/deploy/ready-line.ts';
import { describeRedis, redisUrl, testBusSecret } from '../support/redis.ts';
import { describeEachDatabase } from '../support/databases.ts';
import { waitFor } from '../support/wait.ts';

const BIN = fileURLToPath(new URL('../../bin/wsoptv.mjs', import.meta.url));

function wsoptv(args: string[], env: Record<string, string> = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'wsoptv-cli-'));
  const proc = spawn(process.execPath, [BIN, ...args], {
    env: {
      ...process.env,
      REDIS_URL: '',
      WSOPTV_BUS_SECRET: '',
      DATABASE_URL: '',
      WSOPTV_BLOCKS: '',
      WSOPTV_DATA_DIR: dir,
      LOG_LEVEL: 'warn',
      PORT: '0',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  proc.stdout.on('data', (d) => (stdout += d));
  proc.stderr.on('data', (d) => (stderr += d));
  const exited = new Promise<number | null>((r) => proc.once('exit', (c) => r(c))).finally(() =>
    rmSync(dir, { recursive: true, force: true }),
  );
  return { proc, exited, stdout: () => stdout, stderr: () => stderr };
}

describe('wsoptv command line', () => {
  it('refuses an unknown command and an unknown option with the usage and exit code 2', async () => {
    const [cmd, opt] = [wsoptv(['launch']), wsoptv(['start', '--fast'])];
    expect(await cmd.exited).toBe(2);
    expect(cmd.stderr()).toContain('unknown command: launch');
    expect(cmd.stderr()).toContain('usage: wsoptv');
    expect(await opt.exited).toBe(2);
    expect(opt.stderr()).toContain('--fast');
  });

  it('prints the usage for help', async () => {
    const p = wsoptv(['help']);
    expect(await p.exited).toBe(0);
    expect(p.stdout()).toContain('supervise');
  });

  it('refuses to host a subset of blocks without REDIS_URL, since the others would be unreachable', async () => {
    const p = wsoptv(['start', '--blocks', 'stream,cache']);
    expect(await p.exited).toBe(2);
    expect(p.stderr()).toContain('REDIS_URL');
    expect(p.stdout()).not.toContain('WSOPTV_READY');
  });

  it('refuses REDIS_URL without WSOPTV_BUS_SECRET, naming it', async () => {
    const p = wsoptv(['start', '--blocks', 'stream'], { REDIS_URL: redisUrl });
    expect(await p.exited).toBe(2);
    expect(p.stderr()).toContain('WSOPTV_BUS_SECRET');
  });

  it('refuses an unknown block id', async () => {
    const p = wsoptv(['start', '--blocks', 'stream,teleport'], {
      REDIS_URL: redisUrl,
      WSOPTV_BUS_SECRET: testBusSecret,
    });
    expect(await p.exited).toBe(2);
    expect(p.stderr()).toContain('teleport');
  });
});

describeRedis('wsoptv start --blocks on Redis', () => {
  it('hosts only those blocks, prints one READY line and advertises its URL in the registry', async () => {
    const p = wsoptv(['start', '--blocks', 'search'], {
      REDIS_URL: redisUrl,
      WSOPTV_BUS_SECRET: testBusSecret,
      WSOPTV_BUS_NAMESPACE: `cli-${randomBytes(4).toString('hex')}`,
      HOST: '0.0.0.0',
    });
    try {
      await waitFor(() => p.stdout().includes('WSOPTV_READY') || p.proc.exitCode !== null, 20_000, {
        intervalMs: 50,
      });
      const ready = p.stdout().split('\n').map(parseReady).find(Boolean);
      expect(ready, p.stdout() + p.stderr()).toBeDefined();
      expect(ready!.blocks).toEqual(['search']);
      // A wildcard bind advertises loopback.
      expect(ready!.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const health = await (await fetch(`${ready!.url}/health`)).json();
      expect(health.node_id).toBe(ready!.node_id);
      expect(
        health.blocks
          .filter((b: { node_id: string }) => b.node_id === ready!.node_id)
          .map((b: { id: string }) => b.id),
      ).toEqual(['search']);
    } finally {
      p.proc.kill('SIGTERM');
      expect(await p.exited).toBe(0);
    }
  });
});

describeRedis('wsoptv supervise', () =>
  describeEachDatabase('the supervised deployment', (target) => {
    it('starts every block in its own process behind one gateway, prints one READY line, serves a signed-in admin, and SIGTERM stops the whole tree', async () => {
      const admin = { email: 'root@wsoptv.test', password: 'Sup3rvised-admin' };
      const p = wsoptv(['supervise'], {
        ...target.env(),
        REDIS_URL: redisUrl,
        WSOPTV_BUS_SECRET: testBusSecret,
        WSOPTV_BUS_NAMESPACE: `sup-${randomBytes(4).toString('hex')}`,
        WSOPTV_BCRYPT_COST: '4',
        WSOPTV_SCAN_ON_START: 'false',
        WSOPTV_ADMIN_EMAIL: admin.email,
        WSOPTV_ADMIN_PASSWORD: admin.password,
        LOG_LEVEL: 'info',
      });
      let pids: number[] = [];
      try {
        await waitFor(
          () =>
            p
              .stdout()
              .split('\n')
              .some((l) => parseReady(l)?.node_id.startsWith('supervisor-')) ||
            p.proc.exitCode !== null,
          60_000,
          { intervalMs: 100 },
        );
        const ready = p
          .stdout()
          .split('\n')
          .map(parseReady)
          .find((r) => r?.node_id.startsWith('supervisor-'));
        expect(ready, p.stdout().slice(-2000) + p.stderr()).toBeDefined();
        expect([...ready!.blocks].sort()).toEqual([
          'admin',
          'auth',
          'cache',
          'content',
          'search',
          'stream',
          'worker',
        ]);
        const view = await (await fetch(`${ready!.url}/api/blocks`)).json();
        const blocks = view.blocks as Array<{
          id: string;
          status: string;
          node_id: string;
          http_url: string | null;
        }>;
        // seven processes, one block each
        expect(new Set(blocks.map((b) => b.node_id)).size).toBe(7);
        expect(blocks.every((b) => b.http_url?.startsWith('http://127.0.0.1:'))).toBe(true);
        // Data flows through the gateway to auth's and content's own stores (SQLite files or
        // PostgreSQL schemas).
        const login = await fetch(`${ready!.url}/api/auth/login`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ login: admin.email, password: admin.password }),
        });
        expect(login.status).toBe(200);
        const { access_token } = await login.json();
        const home = await fetch(`${ready!.url}/api/home`, {
          headers: { authorization: `Bearer ${access_token}` },
        });
        expect(home.status).toBe(200);
        // Every process of the tree, found by its READY line.
        pids = p
          .stdout()
          .split('\n')
          .map((l) => parseReady(l)?.pid)
          .filter((x): x is number => typeof x === 'number');
        for (const line of p.stdout().split('\n')) {
          const m = /"pid":(\d+)/.exec(line);
          if (m && line.includes('child ready')) pids.push(Number(m[1]));
        }
        expect(new Set(pids).size).toBe(9); // the supervisor, seven block processes and the gateway
      } finally {
        p.proc.kill('SIGTERM');
        expect(await p.exited).toBe(0);
      }
      const alive = pids.filter((pid) => {
        try {
          process.kill(pid, 0);
          return true;
        } catch {
          return false;
        }
      });
      expect(alive).toEqual([]);
    }, 90_000);
  }),
);
