/**
 * `npm start`'s entry point as a real process: it comes up on the embedded defaults, stops
 * cleanly on SIGTERM, and refuses bad configuration or an unreachable Redis with a message
 * that names the setting.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

function run(env: Record<string, string>) {
  const proc = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    env: {
      ...process.env,
      REDIS_URL: '',
      DATABASE_URL: '',
      WSOPTV_DATA_DIR: mkdtempSync(join(tmpdir(), 'wsoptv-main-')),
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  proc.stdout.on('data', (d) => (out += d));
  proc.stderr.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((r) => proc.once('exit', (c) => r(c)));
  return { proc, exited, out: () => out };
}

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

describe('the WSOPTV process', () => {
  it('starts on the embedded defaults, serves /health, and shuts down cleanly on SIGTERM', async () => {
    const port = await freePort();
    const p = run({ PORT: String(port) });
    const end = Date.now() + 20_000;
    while (!p.out().includes('WSOPTV is listening')) {
      if (Date.now() > end || p.proc.exitCode !== null)
        throw new Error(`did not start:\n${p.out()}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    const health = await (await fetch(`http://127.0.0.1:${port}/health`)).json();
    expect(health.status).toBe('healthy');
    expect(health.transport.kind).toBe('memory');
    p.proc.kill('SIGTERM');
    expect(await p.exited).toBe(0);
    expect(p.out()).toContain('orchestrator stopped');
  }, 30_000);

  it('refuses an invalid setting, naming the variable', async () => {
    const p = run({ PORT: 'eighty' });
    expect(await p.exited).toBe(2);
    expect(p.out()).toContain('PORT');
  }, 20_000);

  it('refuses to start when REDIS_URL points at nothing, naming REDIS_URL', async () => {
    const port = await freePort();
    const p = run({
      PORT: '0',
      REDIS_URL: `redis://127.0.0.1:${port}`,
      WSOPTV_BUS_SECRET: 'x'.repeat(32),
      WSOPTV_REDIS_CONNECT_TIMEOUT_MS: '1000',
    });
    expect(await p.exited).toBe(1);
    expect(p.out()).toContain('REDIS_URL');
  }, 20_000);
});
