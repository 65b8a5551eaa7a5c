/**
 * The gateway's reverse proxy: an /api request that no route of the gateway itself answers goes
 * to a process hosting the block that owns the path (see route-table.ts), found in the
 * registry that every process fills with its heartbeats.
 *
 *  - Instances are picked among those healthy or degraded that advertise an HTTP URL, in turn.
 *  - Bodies stream both ways (a 206 media response is never buffered); the method, headers and
 *    status pass unchanged except hop-by-hop headers, and X-Forwarded-For/-Proto/-Host are set
 *    so that block processes (run with WSOPTV_TRUST_PROXY=true) see the viewer's address.
 *  - A refused connection tries the next instance; with none left the answer is 503
 *    BLOCK_UNAVAILABLE, the same code a process gives for a block it hosts but has stopped.
 *  - Response headers must arrive within `headersTimeoutMs` (504 UPSTREAM_TIMEOUT); a body may
 *    then take as long as it takes (a viewer watching a film).
 *  - A viewer who goes away aborts the upstream request, so a block does not keep reading a
 *    file nobody receives.
 */
import http, { type IncomingMessage } from 'node:http';
import type { Readable } from 'node:stream';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { BlockError, type Orchestrator } from '../orchestration/index.ts';
import { errorBody } from '../platform/http.ts';
import { drainThen, mayTryElsewhere, upstreamHeaders, withoutHopByHop } from './proxy-wire.ts';
import { RouteTable } from './route-table.ts';

export interface GatewayProxyOptions {
  /**
   * Endpoints known without asking the registry (the manifests of this build), so that a block with
   * no live instance still gets a 503, not a 404.
   */
  knownEndpoints: ReadonlyArray<{ id: string; endpoints?: readonly string[] }>;
  /** Time allowed for an upstream's status line and headers. */
  headersTimeoutMs?: number;
  /**
   * The gateway itself runs behind a trusted proxy (WSOPTV_TRUST_PROXY): keep the X-Forwarded-For
   * it sent.
   */
  trustForwarded?: boolean;
  /** Largest request body forwarded; the block processes allow the same (1 MiB). */
  bodyLimitBytes?: number;
}

export const ProxyCodes = {
  PAYLOAD_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  BLOCK_UNAVAILABLE: 'BLOCK_UNAVAILABLE',
  UPSTREAM_TIMEOUT: 'UPSTREAM_TIMEOUT',
  UPSTREAM_FAILED: 'UPSTREAM_FAILED',
} as const;

const SERVING = new Set(['healthy', 'degraded']);

type Attempt = { kind: 'answered' } | { kind: 'retry'; error: NodeJS.ErrnoException };

export class GatewayProxy {
  readonly table = new RouteTable();
  private readonly agent = new http.Agent({
    keepAlive: true,
    maxSockets: 512,
    maxFreeSockets: 64,
    scheduling: 'lifo',
  });
  private readonly turn = new Map<string, number>();
  private learnedAt = 0;
  private readonly headersTimeoutMs: number;
  private readonly trustForwarded: boolean;
  private readonly bodyLimit: number;

  constructor(
    private readonly orchestrator: Orchestrator,
    opts: GatewayProxyOptions,
  ) {
    for (const b of opts.knownEndpoints) this.table.add(b.id, b.endpoints ?? []);
    this.headersTimeoutMs = opts.headersTimeoutMs ?? 30_000;
    this.trustForwarded = opts.trustForwarded ?? false;
    this.bodyLimit = opts.bodyLimitBytes ?? 1024 * 1024;
  }

  /**
   * Registers the catch-all /api route on `app` (after the gateway's own /api routes, which win).
   */
  async install(app: FastifyInstance): Promise<void> {
    await app.register(async (scope) => {
      // Bodies are forwarded as they arrive instead of being parsed here.
      scope.removeAllContentTypeParsers();
      // A body over the limit is refused here (413) rather than half-sent to a block that refuses
      // it and closes the connection under the proxy's feet.
      scope.addContentTypeParser('*', { bodyLimit: this.bodyLimit }, (req, payload, done) => {
        const declared = Number(req.headers['content-length']);
        if (declared > this.bodyLimit)
          return drainThen(payload, () => done(this.tooLarge(), undefined));
        done(null, payload);
      });
      scope.route({
        method: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'],
        url: '/api/*',
        exposeHeadRoute: false,
        schema: { hide: true },
        handler: (req, reply) => this.handle(req, reply),
      });
    });
    app.addHook('onClose', async () => this.agent.destroy());
  }

  private tooLarge(): BlockError {
    return new BlockError(
      ProxyCodes.PAYLOAD_TOO_LARGE,
      `the request body is larger than ${this.bodyLimit} bytes`,
      { status: 413 },
    );
  }

  /** Block instances able to take a request now, in a stable order for round-robin. */
  candidates(blockId: string): string[] {
    const urls = this.orchestrator.registry
      .instancesOf(blockId)
      .filter((i) => SERVING.has(i.status) && i.http_url)
      .sort((a, b) => a.node_id.localeCompare(b.node_id))
      .map((i) => i.http_url!);
    return [...new Set(urls)];
  }

  private learnFromRegistry(): void {
    // Blocks declare their endpoints in heartbeats too (a newer build may add some).
    const now = Date.now();
    if (now - this.learnedAt < 500) return;
    this.learnedAt = now;
    for (const info of this.orchestrator.registry.list()) this.table.add(info.id, info.endpoints);
  }

  private async handle(req: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
    const path = req.url.split('?')[0];
    this.learnFromRegistry();
    const blockId = this.table.match(path);
    if (!blockId)
      return reply
        .code(404)
        .send(errorBody('NOT_FOUND', `no route for ${req.method} ${path}`, req.id));
    const order = this.candidates(blockId);
    const start = this.turn.get(blockId) ?? 0;
    this.turn.set(blockId, start + 1);
    let lastError: NodeJS.ErrnoException | undefined;
    for (let i = 0; i < order.length; i++) {
      const target = order[(start + i) % order.length];
      const attempt = await this.forward(req, reply, target);
      if (attempt.kind === 'answered') return reply;
      lastError = attempt.error;
      req.log.warn(
        { block: blockId, target, code: attempt.error.code },
        'gateway: block instance unreachable, trying another',
      );
    }
    throw new BlockError(
      ProxyCodes.BLOCK_UNAVAILABLE,
      `the ${blockId} service is not running; please try again shortly`,
      {
        status: 503,
        retryable: true,
        details: lastError
          ? { reason: `no instance reachable (${lastError.code ?? lastError.message})` }
          : undefined,
      },
    );
  }

  /**
   * One try against one instance. Settles once the answer's headers were passed on
   * ('answered'), or with 'retry' when nothing reached the block and another may take it;
   * rejects with a BlockError when the request is lost (timeout, reset after sending a body).
   */
  private forward(req: FastifyRequest, reply: FastifyReply, base: string): Promise<Attempt> {
    const target = new URL(base);
    const body = req.body as Readable | undefined;
    const hasBody = body !== undefined && typeof body.pipe === 'function';
    const headers = upstreamHeaders(req, hasBody, this.trustForwarded);

    return new Promise<Attempt>((resolve, reject) => {
      let bodySent = false;
      let tooLarge = false;
      let settled = false;
      const settle = (fn: () => void) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        fn();
      };
      const upstream = http.request({
        agent: this.agent,
        protocol: target.protocol,
        hostname: target.hostname,
        port: target.port,
        method: req.method,
        path: req.url,
        headers,
      });
      const timer = setTimeout(() => {
        upstream.destroy();
        settle(() =>
          reject(
            new BlockError(
              ProxyCodes.UPSTREAM_TIMEOUT,
              `the service did not answer within ${Math.round(this.headersTimeoutMs / 1000)} s; please try again`,
              { status: 504, retryable: true },
            ),
          ),
        );
      }, this.headersTimeoutMs);

      // The viewer hung up: stop the upstream work too.
      const onClientGone = () => {
        if (!reply.raw.writableFinished) upstream.destroy();
      };
      reply.raw.once('close', onClientGone);

      upstream.on('error', (err: NodeJS.ErrnoException) => {
        if (settled) return;
        const code = err.code ?? '';
        const untouched = !bodySent && mayTryElsewhere(code, req.method);
        reply.raw.off('close', onClientGone);
        if (tooLarge) return void drainThen(body!, () => settle(() => reject(this.tooLarge())));
        if (untouched) return settle(() => resolve({ kind: 'retry', error: err }));
        settle(() =>
          reject(
            new BlockError(
              ProxyCodes.UPSTREAM_FAILED,
              `the service stopped answering (${code || err.message}); please try again`,
              { status: 502, retryable: true },
            ),
          ),
        );
      });

      upstream.on('response', (res: IncomingMessage) => {
        settle(() => {
          reply.hijack();
          const out = reply.raw;
          const headers = withoutHopByHop(res.headers);
          headers['x-correlation-id'] ??= req.id;
          out.writeHead(res.statusCode ?? 502, res.statusMessage, headers);
          res.pipe(out);
          // A block dying mid-body: the viewer's connection is cut so the player retries.
          res.once('error', () => out.destroy());
          res.once('aborted', () => out.destroy());
          out.once('close', () => {
            if (!res.complete) res.destroy();
          });
          resolve({ kind: 'answered' });
        });
      });

      // The body goes out only once the connection stands, so a refused connection leaves it
      // unread for the next instance.
      upstream.once('socket', (s) => {
        const send = () => {
          if (settled) return;
          if (hasBody) {
            bodySent = true;
            body.once('error', () => upstream.destroy());
            // A chunked body announces no length: count it on the way through.
            let seen = 0;
            body.on('data', (chunk: Buffer) => {
              seen += chunk.length;
              if (seen <= this.bodyLimit || tooLarge) return;
              tooLarge = true;
              body.unpipe(upstream);
              upstream.destroy();
            });
            body.pipe(upstream);
          } else upstream.end();
        };
        if (s.connecting) s.once('connect', send);
        else send();
      });
    });
  }
}

/** Installs the proxy on a gateway's HTTP server. */
export async function installGatewayProxy(
  app: FastifyInstance,
  orchestrator: Orchestrator,
  opts: GatewayProxyOptions,
): Promise<GatewayProxy> {
  const proxy = new GatewayProxy(orchestrator, opts);
  await proxy.install(app);
  return proxy;
}
