/**
 * Builds one WSOPTV process from a list of blocks: orchestrator (bus chosen by configuration) →
 * the blocks → one HTTP server with every block's routes under /api and the shared session
 * validator. Block-agnostic: the composition root (src/app) passes the real blocks, a block's
 * tests pass that block plus mocks of the blocks it talks to.
 */
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { Orchestrator, type AnyBlockManifest, type Contract } from '../orchestration/index.ts';
import { registerOrchestratorRoutes } from '../orchestration/http.ts';
import type { AppConfig } from './config.ts';
import { createHttpServer } from '../platform/http.ts';
import { installSessions } from '../orchestration/http-auth.ts';
import { SessionValidator } from './sessions.ts';
import { BlockRoutes } from './block-routes.ts';
import { serveWebApp } from '../platform/web.ts';

export interface App {
  orchestrator: Orchestrator;
  http: FastifyInstance;
  /** Stops one block of this process; its routes answer 503 BLOCK_UNAVAILABLE meanwhile. */
  stopBlock(id: string): Promise<void>;
  /** Starts it again; its HTTP routes are served by the new instance. */
  restartBlock(id: string): Promise<void>;
  /** Stops taking requests, finishes those in flight, stops the blocks and leaves the bus. */
  close(): Promise<void>;
}

export async function buildHost(
  config: Readonly<AppConfig>,
  logger: Logger,
  blocks: ReadonlyArray<AnyBlockManifest>,
  contracts?: readonly Contract[],
  /**
   * Routes of the composition root that must answer whichever blocks run (e.g. search with its
   * fallback).
   */
  extraRoutes?: (http: FastifyInstance, orchestrator: Orchestrator) => void | Promise<void>,
): Promise<App> {
  const chosen = config.blocks.length ? blocks.filter((b) => config.blocks.includes(b.id)) : blocks;
  const unknown = config.blocks.filter((id) => !blocks.some((b) => b.id === id));
  if (unknown.length)
    throw new Error(`WSOPTV_BLOCKS names unknown block(s): ${unknown.join(', ')}`);

  // loadConfig already refuses this; the check is repeated for configurations built by hand.
  if (config.redisUrl && !config.busSecret)
    throw new Error(
      'REDIS_URL is set without WSOPTV_BUS_SECRET: multi-process mode refuses to run an unsigned bus',
    );
  const orchestrator = new Orchestrator({
    bus: {
      ...(config.redisUrl
        ? {
            kind: 'redis' as const,
            url: config.redisUrl,
            connectTimeoutMs: config.redisConnectTimeoutMs,
            namespace: config.busNamespace,
            secret: config.busSecret,
          }
        : { kind: 'memory' as const }),
      durable: { maxDeliveries: config.eventMaxDeliveries },
    },
    logger,
    settings: config.orchestrator,
    contracts,
    instance: config.instance,
    env: config.env,
    shared: {
      dataDir: config.dataDir,
      libraryDir: config.libraryDir,
      databaseUrl: config.databaseUrl,
      dbSchemaPrefix: config.dbSchemaPrefix,
      redisUrl: config.redisUrl,
      redisConnectTimeoutMs: config.redisConnectTimeoutMs,
      busNamespace: config.busNamespace,
    },
  });
  for (const b of chosen) orchestrator.register(b);
  await orchestrator.start();

  const http = await createHttpServer({
    logger,
    title: 'WSOPTV API',
    version: '0.1.0',
    trustProxy: config.trustProxy,
  });
  registerOrchestratorRoutes(http, orchestrator);
  // One session validator per process: every block's routes share its cache (the auth fallback).
  const sessions = new SessionValidator(orchestrator.client('gateway'));
  await orchestrator.subscribe(
    'user_logout',
    (p) => sessions.forgetSession(p.session_id),
    'gateway',
  );
  await orchestrator.subscribe('user_suspended', (p) => sessions.forgetUser(p.user_id), 'gateway');
  installSessions(http, sessions);
  const mounted = new Map<string, BlockRoutes>();
  for (const { info, runtime } of orchestrator.localBlocks()) {
    if (!runtime?.routes) continue;
    const routes = new BlockRoutes(
      info.id,
      () => info.status === 'healthy' || info.status === 'degraded',
    );
    await routes.mount(http, runtime.routes);
    mounted.set(info.id, routes);
  }
  await extraRoutes?.(http, orchestrator);
  if (config.serveWeb) await serveWebApp(http);
  await http.ready();

  let closing: Promise<void> | undefined;
  return {
    orchestrator,
    http,
    stopBlock: (id) => orchestrator.stopBlock(id),
    async restartBlock(id) {
      await orchestrator.restartBlock(id);
      const runtime = orchestrator.localBlocks().find((b) => b.info.id === id)?.runtime;
      if (runtime?.routes) await mounted.get(id)?.rebind(runtime.routes);
    },
    close: () =>
      (closing ??= (async () => {
        await http.close();
        await orchestrator.stop();
      })()),
  };
}
