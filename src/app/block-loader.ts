/**
 * Loads block code on demand. A process hosting one block (`wsoptv start --blocks stream`)
 * imports only that block's code: importing all seven costs about 1.4 s of every start and
 * every restart after a crash, time during which the block is down.
 */
import type { AnyBlockManifest } from '../orchestration/index.ts';

const loaders = {
  auth: () => import('../blocks/auth/index.ts'),
  content: () => import('../blocks/content/index.ts'),
  cache: () => import('../blocks/cache/index.ts'),
  stream: () => import('../blocks/stream/index.ts'),
  search: () => import('../blocks/search/index.ts'),
  worker: () => import('../blocks/worker/index.ts'),
  admin: () => import('../blocks/admin/index.ts'),
} satisfies Record<string, () => Promise<{ default: AnyBlockManifest }>>;

export type BlockId = keyof typeof loaders;

/** Every block, in the order the composition root lists them. */
export const blockIds = Object.keys(loaders) as BlockId[];

export function isBlockId(id: string): id is BlockId {
  return Object.hasOwn(loaders, id);
}

/** The manifests of the named blocks (all when none are named), in `blockIds` order. */
export async function loadBlocks(
  ids: readonly string[] = blockIds,
): Promise<Array<AnyBlockManifest>> {
  const unknown = ids.filter((id) => !isBlockId(id));
  if (unknown.length)
    throw new Error(
      `WSOPTV_BLOCKS names unknown block(s): ${unknown.join(', ')} (known: ${blockIds.join(', ')})`,
    );
  const wanted = blockIds.filter((id) => ids.includes(id));
  return Promise.all(wanted.map(async (id) => (await loaders[id]()).default));
}
