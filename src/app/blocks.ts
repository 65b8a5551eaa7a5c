/**
 * The composition root's list of blocks. The only place that imports block code; each later
 * issue adds its blocks here.
 */
import type { BlockManifest } from '../orchestration/index.ts';

export const allBlocks: ReadonlyArray<BlockManifest<any>> = [];
