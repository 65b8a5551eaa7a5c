/** One WSOPTV process with the real blocks (those named in WSOPTV_BLOCKS, or all). */
import type { Logger } from 'pino';
import type { BlockManifest, Contract } from '../orchestration/index.ts';
import type { AppConfig } from '../platform/config.ts';
import { buildHost, type App } from '../platform/host.ts';
import { allBlocks } from './blocks.ts';
import { gatewayRoutes } from './gateway.ts';

export type { App };

export function buildApp(config: Readonly<AppConfig>, logger: Logger, blocks: ReadonlyArray<BlockManifest<any>> = allBlocks, contracts?: readonly Contract[]): Promise<App> {
  return buildHost(config, logger, blocks, contracts, gatewayRoutes);
}
