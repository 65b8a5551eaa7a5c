/**
 * The gateway's proxy against real HTTP servers standing in for block processes: the gateway is
 * a real host with no block, and the "block instances" are entries in its registry pointing at
 * those servers, exactly what heartbeats would put there.
 */
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { buildHost, type App } from '../../src/app/host.ts';
import { loadConfig } from '../../src/app/config.ts';
import { installGatewayProxy } from '../../src/deploy/gateway-proxy.ts';
import type { BlockInfo } from '../../src/orchestration/index.ts';
import { memoryLogger } from '../support/logs.ts';
import { waitFor } from '../support/wait.ts';

type Handler = (req: IncomingMessage, res: ServerResponse, body: Buffer) => void;

async function upstream(handler: Handler) {
  const seen: Array<{
    method: string;
    url: string;
    headers: http.IncomingHttpHeaders;
    body: string;
  }> = [];
  const closed: string[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      seen.push({
        method: req.method!,
        url: req.url!,
        headers: req.headers,
        body: body.toString(),
      });
      handler(req, res, body);
    });
    res.on('close', () => void (!res.writableFinished && closed.push(req.url!)));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    seen,
    closed,
    close: () => new Promise<void>((r) => (server.closeAllConnections(), server.close(() => r()))),
  };
}

function instance(
  id: string,
  node: string,
  url: string | null,
  status: BlockInfo['status'] = 'healthy',
): BlockInfo {
  return {
    id,
    name: id,
    version: '1',
    status,
    status_reason: null,
    endpoints: [],
    dependencies: [],
    health_url: '',
    contracts: [`${id}:v1`],
    node_id: node,
    http_url: url,
    started_at: new Date().toISOString(),
    last_seen: Date.now(),
  };
}

describe('gateway proxy', () => {
  let gw: App;
  let base: string;
  let a: Awaited<ReturnType<typeof upstream>>;
  let b: Awaited<ReturnType<typeof upstream>>;
  let slow: Awaited<ReturnType<typeof upstream>>;
  const who =
    (name: string): Handler =>
    (req, res, body) => {
      res.writeHead(req.headers.range ? 206 : 200, {
        'content-type': 'application/json',
        'x-served-by': name,
        'set-cookie': 'k=v',
        connection: 'x-upstream-private',
        'x-upstream-private': 'no',
      });
      res.end(JSON.stringify({ name, body: body.toString() }));
    };

  beforeAll(async () => {
    a = await upstream(who('a'));
    b = await upstream(who('b'));
    slow = await upstream((req, res) => {
      if (req.url!.includes('hang')) return; // never answers
      // Headers at once, then a body that takes its time.
      res.writeHead(206, { 'content-type': 'video/mp4' });
      res.write(Buffer.alloc(1024));
    });
    // Remote instances never heartbeat here; a long liveness keeps the hand-made entries serving.
    const config = loadConfig({
      WSOPTV_LIVENESS_TIMEOUT_MS: '600000',
      WSOPTV_SERVE_WEB: 'false',
      LOG_LEVEL: 'silent',
    });
    gw = await buildHost(config, memoryLogger('warn').logger, [], undefined, async (app, orch) => {
      await installGatewayProxy(app, orch, {
        knownEndpoints: [
          { id: 'content', endpoints: ['/api/contents', '/api/home'] },
          { id: 'stream', endpoints: ['/api/stream/:contentId'] },
        ],
        headersTimeoutMs: 300,
      });
    });
    base = await gw.http.listen({ port: 0, host: '127.0.0.1' });
  });
  afterAll(async () => {
    // fetch may leave a connection that never carried a request; Node waits for those.
    gw?.http.server.closeAllConnections();
    await gw?.close();
    await Promise.all([a, b, slow].map((u) => u?.close()));
  });
  beforeEach(() => {
    for (const i of gw.orchestrator.registry.list())
      gw.orchestrator.registry.remove(i.id, i.node_id);
  });

  it('answers 503 BLOCK_UNAVAILABLE with a correlation id when no instance serves the block', async () => {
    gw.orchestrator.registry.upsert(instance('content', 'n-stopped', a.url, 'stopped'));
    gw.orchestrator.registry.upsert(instance('content', 'n-nourl', null));
    const res = await fetch(`${base}/api/home`);
    expect(res.status).toBe(503);
    const { error } = await res.json();
    expect(error).toMatchObject({
      code: 'BLOCK_UNAVAILABLE',
      message: 'the content service is not running; please try again shortly',
    });
    expect(error.correlation_id).toBe(res.headers.get('x-correlation-id'));
    expect(a.seen).toHaveLength(0);
  });

  it('answers 404 NOT_FOUND for an /api path no block owns, and keeps its own routes', async () => {
    const res = await fetch(`${base}/api/nope`);
    expect(res.status).toBe(404);
    expect((await res.json()).error.code).toBe('NOT_FOUND');
    expect((await fetch(`${base}/api/blocks`)).status).toBe(200);
  });

  it('takes turns between instances and skips one that refuses connections', async () => {
    const dead = await upstream(who('dead'));
    await dead.close();
    gw.orchestrator.registry.upsert(instance('content', 'n1', a.url));
    gw.orchestrator.registry.upsert(instance('content', 'n2', b.url));
    gw.orchestrator.registry.upsert(instance('content', 'n3', dead.url));
    const served: string[] = [];
    for (let i = 0; i < 6; i++) {
      const res = await fetch(`${base}/api/contents?i=${i}`);
      expect(res.status).toBe(200);
      served.push(res.headers.get('x-served-by')!);
    }
    expect(served.filter((s) => s === 'a').length).toBeGreaterThanOrEqual(2);
    expect(served.filter((s) => s === 'b').length).toBeGreaterThanOrEqual(2);
    gw.orchestrator.registry.remove('content', 'n1');
    gw.orchestrator.registry.remove('content', 'n2');
    const res = await fetch(`${base}/api/contents`);
    expect(res.status).toBe(503);
    expect((await res.json()).error.details.reason).toContain('ECONNREFUSED');
  });

  it('passes method, body and end-to-end headers, drops hop-by-hop ones and sets X-Forwarded-*', async () => {
    gw.orchestrator.registry.upsert(instance('content', 'n1', a.url));
    const before = a.seen.length;
    // node:http rather than fetch: fetch refuses to send a Connection header of its own.
    const res = await new Promise<{
      status: number;
      headers: http.IncomingHttpHeaders;
      body: string;
    }>((resolve, reject) => {
      const req = http.request(`${base}/api/contents/7?x=1`, {
        method: 'PATCH',
        headers: {
          'content-type': 'application/json',
          authorization: 'Bearer t0k',
          cookie: 'c=1',
          range: 'bytes=0-9',
          'if-none-match': '"e"',
          'x-forwarded-for': '198.51.100.7',
          connection: 'x-private',
          'x-private': 'drop me',
        },
      });
      req.on('response', (r) => {
        let body = '';
        r.setEncoding('utf8')
          .on('data', (c) => (body += c))
          .on('end', () => resolve({ status: r.statusCode!, headers: r.headers, body }));
      });
      req.on('error', reject);
      req.end(JSON.stringify({ title: 'héllo' }));
    });
    expect(res.status).toBe(206);
    expect(JSON.parse(res.body)).toEqual({ name: 'a', body: '{"title":"héllo"}' });
    expect(res.headers['set-cookie']).toEqual(['k=v']);
    expect(res.headers['x-upstream-private']).toBeUndefined();
    const got = a.seen[before];
    expect(got).toMatchObject({ method: 'PATCH', url: '/api/contents/7?x=1' });
    expect(got.headers).toMatchObject({
      authorization: 'Bearer t0k',
      cookie: 'c=1',
      range: 'bytes=0-9',
      'if-none-match': '"e"',
      'content-type': 'application/json',
      'x-forwarded-for': '127.0.0.1',
      'x-forwarded-proto': 'http',
    });
    expect(got.headers['x-private']).toBeUndefined();
    expect(got.headers['x-correlation-id']).toBe(res.headers['x-correlation-id']);
  });

  it('never announces a body it does not send: a GET with a body leaves the next request on the pooled connection intact', async () => {
    gw.orchestrator.registry.upsert(instance('content', 'n1', a.url));
    const raw = (path: string, headers: Record<string, string>, body?: string) =>
      new Promise<{ status: number; body: string }>((resolve, reject) => {
        const req = http.request(`${base}${path}`, { method: 'GET', headers });
        req.on('response', (r) => {
          let text = '';
          r.setEncoding('utf8')
            .on('data', (c) => (text += c))
            .on('end', () => resolve({ status: r.statusCode!, body: text }));
        });
        req.on('error', reject);
        req.end(body);
      });
    const before = a.seen.length;
    const first = await raw(
      '/api/home',
      { 'content-type': 'application/json', 'content-length': '8' },
      '{"x":12}',
    );
    expect(first.status).toBe(200);
    // Another client's plain request, on the keep-alive connection the proxy now reuses.
    const second = await raw('/api/home?second=1', {});
    expect(second.status).toBe(200);
    expect(a.seen.slice(before).map((r) => [r.url, r.body, r.headers['content-length']])).toEqual([
      ['/api/home', '', undefined],
      ['/api/home?second=1', '', undefined],
    ]);
  });

  it('refuses a body over the limit itself with 413 PAYLOAD_TOO_LARGE, declared or chunked, and forwards nothing', async () => {
    gw.orchestrator.registry.upsert(instance('content', 'n1', a.url));
    const before = a.seen.length;
    const big = 'x'.repeat(1024 * 1024 + 10);
    const declared = await fetch(`${base}/api/contents`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: big,
    });
    expect(declared.status).toBe(413);
    expect((await declared.json()).error.code).toBe('PAYLOAD_TOO_LARGE');
    const chunked = await new Promise<number>((resolve, reject) => {
      const req = http.request(`${base}/api/contents`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked' },
      });
      req.on('response', (r) => (r.resume(), resolve(r.statusCode!)));
      req.on('error', reject);
      for (let i = 0; i < 11; i++) req.write('y'.repeat(100 * 1024));
      req.end();
    });
    expect(chunked).toBe(413);
    // A client still writing its body reads the 413 (the rest is drained), never a reset socket.
    const sent = await Promise.all(
      Array.from(
        { length: 10 },
        () =>
          new Promise<string>((resolve) => {
            const req = http.request(`${base}/api/contents`, {
              method: 'POST',
              headers: { 'content-type': 'application/json', 'content-length': String(big.length) },
            });
            req.on('response', (r) => (r.resume(), resolve(String(r.statusCode))));
            req.on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? e.message));
            req.end(big);
          }),
      ),
    );
    expect(sent).toEqual(Array(10).fill('413'));
    expect(a.seen.length).toBe(before); // the block never saw a complete oversized request
  });

  it('gives up on response headers after the time limit with 504 UPSTREAM_TIMEOUT, but lets a body stream on', async () => {
    gw.orchestrator.registry.upsert(instance('stream', 'n1', slow.url));
    const t = performance.now();
    const res = await fetch(`${base}/api/stream/hang`);
    expect(res.status).toBe(504);
    expect((await res.json()).error.code).toBe('UPSTREAM_TIMEOUT');
    expect(performance.now() - t).toBeLessThan(2000);

    // Headers in time, body still flowing after the limit: the viewer keeps receiving.
    const ctl = new AbortController();
    const media = await fetch(`${base}/api/stream/film`, { signal: ctl.signal });
    expect(media.status).toBe(206);
    const reader = media.body!.getReader();
    expect((await reader.read()).value!.length).toBeGreaterThan(0);
    await new Promise((r) => setTimeout(r, 400));
    // The viewer leaves: the block's response is cut too.
    ctl.abort();
    await waitFor(() => slow.closed.includes('/api/stream/film'), 3000, {
      message: 'upstream request aborted',
    });
  });
});
