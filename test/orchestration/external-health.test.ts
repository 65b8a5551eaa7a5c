/**
 * Blocks served outside WSOPTV's processes are watched through their HTTP health URL, as the
 * spec describes: 200 → healthy, another status → degraded, no answer → unhealthy.
 */
import { createServer, type Server } from 'node:http';
import { afterAll, describe, expect, it } from 'vitest';
import { harness } from './harness.ts';

describe('HTTP health URLs', () => {
  const h = harness('memory');
  let answer = 200;
  const server: Server = createServer((_req, res) => {
    res.statusCode = answer;
    res.end('ok');
  });
  afterAll(async () => {
    await h.closeAll();
    await new Promise((r) => server.close(r));
  });

  it('follows the external block through healthy, degraded and unhealthy', async () => {
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const port = (server.address() as { port: number }).port;
    const n = await h.node([], { httpHealthIntervalMs: 100 });
    const events: string[] = [];
    await n.subscribe('block_unhealthy', (p) => void events.push(`down:${p.block_id}`));
    await n.subscribe('block_recovered', (p) => void events.push(`up:${p.block_id}`));
    n.registerExternal({
      id: 'transcoder',
      name: 'Transcoder',
      version: '2.0',
      health_url: `http://127.0.0.1:${port}/health`,
    });
    const status = () => n.registry.get('transcoder', 'external')?.status;
    const until = async (want: string) => {
      const end = Date.now() + 3000;
      while (status() !== want) {
        if (Date.now() > end) throw new Error(`status stayed ${status()}, wanted ${want}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    };
    await until('healthy');
    answer = 500;
    await until('degraded');
    expect(n.registry.get('transcoder', 'external')?.status_reason).toContain('500');
    await new Promise<void>((r) => {
      server.closeAllConnections();
      server.close(() => r());
    });
    await until('unhealthy');
    answer = 200;
    await new Promise<void>((r) => server.listen(port, '127.0.0.1', () => r()));
    await until('healthy');
    expect(events).toEqual(['down:transcoder', 'up:transcoder']);
    expect(() =>
      n.registerExternal({ id: 'x', name: 'x', version: '1', health_url: '/relative' }),
    ).toThrow(/absolute/);
  });
});
