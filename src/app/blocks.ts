/**
 * Every block, imported eagerly, for tests and tools that want the manifests at hand. Running
 * processes load blocks through block-loader.ts, which imports only the hosted ones.
 */
import type { AnyBlockManifest } from '../orchestration/index.ts';
import auth from '../blocks/auth/index.ts';
import content from '../blocks/content/index.ts';
import admin from '../blocks/admin/index.ts';
import cache from '../blocks/cache/index.ts';
import worker from '../blocks/worker/index.ts';
import search from '../blocks/search/index.ts';
import stream from '../blocks/stream/index.ts';

export const allBlocks: ReadonlyArray<AnyBlockManifest> = [
  auth,
  content,
  cache,
  stream,
  search,
  worker,
  admin,
];
