/**
 * A Redis outage is visible on /health while it lasts (503, transport not connected), and the
 * process recovers by itself when Redis returns. Uses a throw-away redis-server that is really
 * stopped and started again; the machine's Redis is never touched.
 */
import { afterAll, expect, it } from 'vitest';
import { buildApp, type App } from '../../src/app/server.ts';
import { loadConfig } from '../../src/app/config.ts';
import { productionContracts } from '../../src/orchestration/contracts/index.ts';
import { memoryLogger } from '../support/logs.ts';
import {
  describeRedisServer,
  startThrowawayRedis,
  testBusSecret,
  type ThrowawayRedis,
} from '../support/redis.ts';
import { storeBlock, testContracts } from '../support/test-contracts.ts';
import { waitFor } from '../support/wait.ts';

describeRedisServer('/health during a Redis outage', () => {
  let redis: ThrowawayRedis;
  let app: App;
  afterAll(async () => {
    await app?.close();
    await redis?.stop();
  });

  it('reports the outage with 503 and recovers within 5 s of Redis returning', async () => {
    redis = await startThrowawayRedis();
    const config = loadConfig({
      REDIS_URL: redis.url,
      WSOPTV_BUS_SECRET: testBusSecret,
      WSOPTV_HEALTH_INTERVAL_MS: '100',
    });
    app = await buildApp(
      config,
      memoryLogger().logger,
      [storeBlock()],
      [...productionContracts, ...testContracts],
    );
    const health = async () => {
      const res = await app.http.inject({ method: 'GET', url: '/health' });
      return {
        code: res.statusCode,
        body: res.json<{ status: string; transport: { kind: string; state: string } }>(),
      };
    };
    expect((await health()).code).toBe(200);
    expect((await health()).body.transport).toEqual({ kind: 'redis', state: 'connected' });

    await redis.stop();
    await waitFor(() => app.orchestrator.bus.state() !== 'connected', 3000);
    const during = await health();
    expect(during.code).toBe(503);
    expect(during.body.status).toBe('unhealthy');
    expect(during.body.transport.state).not.toBe('connected');

    await redis.restart();
    const back = Date.now();
    await waitFor(() => app.orchestrator.bus.state() === 'connected', 5000);
    console.log(`bus reconnected ${Date.now() - back} ms after Redis answered`);
    const after = await health();
    expect(after.code).toBe(200);
    // The process can serve again through the bus: a request to its own block still works and an
    // event published now is delivered exactly once.
    const seen: string[] = [];
    await app.orchestrator.subscribe('stored', (p) => void seen.push(p.key), 'watcher');
    await app.orchestrator
      .client('t')
      .request('store:v1', 'put', { key: 'after-outage', value: 'v' });
    await waitFor(() => seen.length === 1, 2000);
    await new Promise((r) => setTimeout(r, 100));
    expect(seen).toEqual(['after-outage']);
  });
});
