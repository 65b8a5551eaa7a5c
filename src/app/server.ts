/** One WSOPTV process with the real blocks (those named in WSOPTV_BLOCKS, or all). */
import type { Logger } from 'pino';
import type { AnyBlockManifest, Contract } from '../orchestration/index.ts';
import type { AppConfig } from './config.ts';
import { buildHost, type App } from './host.ts';
import { loadBlocks } from './block-loader.ts';
import { gatewayRoutes } from './gateway.ts';

export type { App };

export async function buildApp(
  config: Readonly<AppConfig>,
  logger: Logger,
  blocks?: ReadonlyArray<AnyBlockManifest>,
  contracts?: readonly Contract[],
): Promise<App> {
  // Only the hosted blocks' code is loaded (see block-loader.ts).
  const hosted = blocks ?? (await loadBlocks(config.blocks.length ? config.blocks : undefined));
  return buildHost(config, logger, hosted, contracts, gatewayRoutes);
}
