/**
 * Runs one WSOPTV process until a signal stops it: `wsoptv start` (some or all blocks) or
 * `wsoptv gateway` (no block: the web app, the gateway routes and the proxy to the processes
 * that host the blocks). Once it serves HTTP it advertises its URL in the registry, waits until
 * that advertisement has gone out on the bus, and prints the READY line (ready-line.ts).
 */
import type { AddressInfo } from 'node:net';
import { z } from 'zod';
import { loadConfig, ConfigError, type AppConfig } from '../app/config.ts';
import { createLogger, type Logger } from '../platform/logger.ts';
import { buildHost, type App } from '../app/host.ts';
import { buildApp } from '../app/server.ts';
import { blockIds, loadBlocks } from '../app/block-loader.ts';
import { gatewayRoutes } from '../app/gateway.ts';
import { installGatewayProxy } from './gateway-proxy.ts';
import { formatReady } from './ready-line.ts';
import { stopOnSignals } from './stop-on-signals.ts';
import { errorMessage } from '../platform/errors.ts';

export type ProcessShape = { kind: 'blocks'; blocks?: string[] } | { kind: 'gateway' };

/** Refusals before anything starts; the CLI prints the message and exits 2. */
export class UsageRefused extends Error {
  override name = 'UsageRefused';
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export const allBlockIds = (): string[] => [...blockIds];

// Settings of the deployment shapes only; everything else is in app/config.ts.
const DeployEnv = z.object({
  /**
   * URL other processes use to reach this one (another machine's view of it); derived from
   * HOST/PORT when unset.
   */
  WSOPTV_ADVERTISE_URL: z.string().url().optional(),
  /** Gateway: time allowed for a block process's response headers. */
  WSOPTV_GATEWAY_TIMEOUT_MS: z.coerce.number().int().min(100).default(30_000),
  /** Set by the supervisor: stop when the supervisor's end of stdin closes (it died). */
  WSOPTV_EXIT_WITH_PARENT: z.enum(['true', 'false']).default('false'),
});
export type DeploySettings = z.infer<typeof DeployEnv>;

export function loadDeploySettings(env: NodeJS.ProcessEnv): DeploySettings {
  const parsed = DeployEnv.safeParse(Object.fromEntries(Object.entries(env).filter(([, v]) => v)));
  if (!parsed.success)
    throw new ConfigError(
      `invalid configuration:\n${parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`).join('\n')}`,
    );
  return parsed.data;
}

/** Checks the shape against the configuration; returns the configuration this process runs with. */
export function resolveShape(shape: ProcessShape, env: NodeJS.ProcessEnv): Readonly<AppConfig> {
  const known = allBlockIds();
  const requested = shape.kind === 'blocks' && shape.blocks ? shape.blocks : undefined;
  const config = loadConfig(requested ? { ...env, WSOPTV_BLOCKS: requested.join(',') } : env);
  const unknown = config.blocks.filter((id) => !known.includes(id));
  if (unknown.length)
    throw new UsageRefused(
      'UNKNOWN_BLOCK',
      `unknown block(s): ${unknown.join(', ')} (known: ${known.join(', ')})`,
    );
  if (shape.kind === 'gateway') {
    if (!config.redisUrl)
      throw new UsageRefused(
        'REDIS_REQUIRED',
        'wsoptv gateway hosts no block: it needs REDIS_URL (and WSOPTV_BUS_SECRET) to reach the processes that do',
      );
    return { ...config, blocks: [] };
  }
  const subset = config.blocks.length > 0 && known.some((id) => !config.blocks.includes(id));
  if (subset && !config.redisUrl) {
    throw new UsageRefused(
      'REDIS_REQUIRED',
      `hosting only ${config.blocks.join(', ')} needs REDIS_URL (and WSOPTV_BUS_SECRET): without the Redis bus the other blocks would be unreachable. ` +
        'Run `wsoptv start` without --blocks to host every block in one process.',
    );
  }
  return config;
}

function advertiseUrl(app: App, config: Readonly<AppConfig>, settings: DeploySettings): string {
  if (settings.WSOPTV_ADVERTISE_URL) return settings.WSOPTV_ADVERTISE_URL.replace(/\/+$/, '');
  const { port } = app.http.server.address() as AddressInfo;
  // A wildcard bind is reachable on loopback from this machine; other machines need
  // WSOPTV_ADVERTISE_URL.
  const host = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host;
  return `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
}

export async function build(
  shape: ProcessShape,
  config: Readonly<AppConfig>,
  logger: Logger,
  settings: DeploySettings,
): Promise<App> {
  if (shape.kind === 'blocks') return buildApp(config, logger);
  return buildHost(config, logger, [], undefined, async (http, orchestrator) => {
    gatewayRoutes(http, orchestrator);
    await installGatewayProxy(http, orchestrator, {
      knownEndpoints: await loadBlocks(),
      headersTimeoutMs: settings.WSOPTV_GATEWAY_TIMEOUT_MS,
      trustForwarded: config.trustProxy,
    });
  });
}

/** Runs the process; resolves only when the start failed (with the exit code to use). */
export async function serve(
  shape: ProcessShape,
  env: NodeJS.ProcessEnv = process.env,
): Promise<number> {
  let config: Readonly<AppConfig>;
  let settings: DeploySettings;
  try {
    config = resolveShape(shape, env);
    settings = loadDeploySettings(env);
  } catch (err) {
    if (err instanceof ConfigError || err instanceof UsageRefused) {
      console.error(err.message);
      return 2;
    }
    throw err;
  }
  const logger = createLogger(config.logLevel);
  let app: App;
  try {
    app = await build(shape, config, logger, settings);
  } catch (err) {
    logger.fatal({ err }, `WSOPTV could not start: ${errorMessage(err)}`);
    return 1;
  }
  const shutdown = stopOnSignals(logger, 'WSOPTV', () => app.close());
  if (settings.WSOPTV_EXIT_WITH_PARENT === 'true') {
    process.stdin
      .on('end', () => shutdown('parent gone'))
      .on('error', () => shutdown('parent gone'));
    process.stdin.resume();
  }

  const listening = await app.http.listen({ port: config.port, host: config.host });
  const url = advertiseUrl(app, config, settings);
  // Resolves once the heartbeat carrying the URL went out: the gateway can route here from now on.
  await app.orchestrator.advertiseHttp(url);
  const blocks = app.orchestrator.localBlocks().map((b) => b.info.id);
  logger.info(
    {
      url: listening,
      advertised: url,
      docs: `${listening}/docs`,
      transport: app.orchestrator.bus.kind,
      blocks,
      role: shape.kind,
    },
    'WSOPTV is listening',
  );
  process.stdout.write(
    `${formatReady({ url, node_id: app.orchestrator.nodeId, blocks, pid: process.pid })}\n`,
  );
  return new Promise<number>(() => {}); // runs until a signal ends the process
}
