/**
 * The orchestrator's HTTP surface on a real socket: /health, /api/blocks, /metrics, /docs,
 * block routes under /api with schema-checked input, and clear 4xx answers for bad input.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type App } from '../../src/app/server.ts';
import { loadConfig } from '../../src/app/config.ts';
import { memoryLogger } from '../support/logs.ts';
import { echoBlock, storeBlock, testContracts } from '../support/test-contracts.ts';
import { productionContracts } from '../../src/orchestration/contracts/index.ts';

let app: App;
let base: string;
const { logger, lines } = memoryLogger();

beforeAll(async () => {
  const config = loadConfig({ PORT: '0', WSOPTV_HEALTH_INTERVAL_MS: '100' });
  app = await buildApp(
    config,
    logger,
    [echoBlock(), storeBlock()],
    [...productionContracts, ...testContracts],
  );
  await app.http.listen({ port: 0, host: '127.0.0.1' });
  const addr = app.http.server.address();
  base = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
});
afterAll(() => app.close());

describe('HTTP surface', () => {
  it('GET /health reports overall status, each block and the transport', async () => {
    const res = await fetch(`${base}/health`);
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body.status).toBe('healthy');
    expect(body.transport).toEqual({ kind: 'memory', state: 'connected' });
    expect(body.blocks.map((b: { id: string }) => b.id).sort()).toEqual(['echo', 'store']);
  });

  it('GET /api/blocks lists the registry with versions, contracts and breaker state', async () => {
    const body = await (await fetch(`${base}/api/blocks`)).json();
    const echo = body.blocks.find((b: { id: string }) => b.id === 'echo');
    expect(echo).toMatchObject({
      name: 'Echo (test)',
      version: '1.0.0',
      status: 'healthy',
      contracts: ['echo:v1'],
      breaker: 'closed',
      dependencies: ['store:v1'],
    });
    expect(typeof echo.health_url).toBe('string');
    expect(body.transport.kind).toBe('memory');
  });

  it('serves block routes under /api and keeps the correlation id across the request', async () => {
    const put = await fetch(`${base}/api/store/alpha`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json', 'x-correlation-id': 'http-corr-1' },
      body: JSON.stringify({ value: "Robert'); DROP TABLE users;--" }),
    });
    expect(put.status).toBe(200);
    expect(put.headers.get('x-correlation-id')).toBe('http-corr-1');
    const got = await (await fetch(`${base}/api/store/alpha`)).json();
    expect(got).toEqual({ value: "Robert'); DROP TABLE users;--" });
    const storeLine = lines.find((l) => l.step === 'store' && l.correlation_id === 'http-corr-1');
    expect(storeLine).toBeTruthy();
  });

  it('answers bad input with a 4xx, a stable code and a message', async () => {
    const badJson = await fetch(`${base}/api/store/a`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: '{"value": ',
    });
    expect(badJson.status).toBe(400);
    expect((await badJson.json()).error.code).toBe('INVALID_JSON');
    const wrongType = await fetch(`${base}/api/store/a`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ value: 7 }),
    });
    expect(wrongType.status).toBe(400);
    const err = (await wrongType.json()).error;
    expect(err.code).toBe('VALIDATION_FAILED');
    expect(err.message).toContain('value');
    const tooLong = await fetch(`${base}/api/store/${'k'.repeat(60)}`);
    expect(tooLong.status).toBe(400);
    const huge = await fetch(`${base}/api/store/a`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ value: 'x'.repeat(2 * 1024 * 1024) }),
    });
    expect(huge.status).toBe(413);
    expect((await huge.json()).error.code).toBe('PAYLOAD_TOO_LARGE');
    const missing = await fetch(`${base}/api/nothing-here`);
    expect(missing.status).toBe(404);
    expect((await missing.json()).error.code).toBe('NOT_FOUND');
  });

  it('GET /metrics exposes request, latency, bus and breaker metrics in Prometheus format', async () => {
    await app.orchestrator.client('t').request('echo:v1', 'echo', { text: 'm' });
    await app.orchestrator
      .client('t')
      .request('echo:v1', 'fail', { code: 'NOPE' })
      .catch(() => {});
    const res = await fetch(`${base}/metrics`);
    expect(res.headers.get('content-type')).toContain('text/plain');
    const text = await res.text();
    expect(text).toMatch(
      /wsoptv_requests_total\{block="echo",contract="echo:v1",action="echo"\} [1-9]/,
    );
    expect(text).toMatch(
      /wsoptv_request_errors_total\{block="echo",contract="echo:v1",action="fail",code="NOPE"\} 1/,
    );
    expect(text).toMatch(
      /wsoptv_request_duration_seconds_bucket\{block="echo",contract="echo:v1",action="echo",le="\+Inf"\} [1-9]/,
    );
    expect(text).toMatch(/wsoptv_bus_messages_total\{outcome="published"\} \d+/);
    expect(text).toMatch(/wsoptv_bus_messages_total\{outcome="dropped"\} \d+/);
    expect(text).toMatch(/wsoptv_breaker_state\{block="echo"\} 0/);
    expect(text).toContain('wsoptv_process_cpu_seconds_total');
  });

  it('publishes an OpenAPI description with the block routes and a browsable /docs page', async () => {
    const spec = await (await fetch(`${base}/docs/json`)).json();
    expect(spec.openapi).toMatch(/^3\./);
    expect(Object.keys(spec.paths)).toEqual(
      expect.arrayContaining(['/health', '/api/blocks', '/api/store/{key}']),
    );
    const page = await fetch(`${base}/docs/`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<html');
  });
});

describe('request log', () => {
  it('never writes credentials from a query string', async () => {
    const { redactQuery } = await import('../../src/platform/http.ts');
    expect(redactQuery('/api/stream/abc?st=SECRET.tok&x=1')).toBe(
      '/api/stream/abc?st=[redacted]&x=1',
    );
    expect(redactQuery('/api/x?a=1&token=abc')).toBe('/api/x?a=1&token=[redacted]');
    await fetch(`${base}/api/store/zz?st=very-secret-media-token`);
    expect(JSON.stringify(lines)).not.toContain('very-secret-media-token');
  });
});
