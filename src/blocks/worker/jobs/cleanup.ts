/**
 * `cleanup`: forgets finished jobs past their retention and removes temporary files left by crashed
 * thumbnail writes. The SSD folder is the cache block's: it removes its own leftovers at start-up.
 */
import { lstat, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { TEMP_MAX_AGE_MS, TEMP_SUFFIX } from '../models.ts';
import type { JobHandler } from './common.ts';

export const cleanup: JobHandler = async (ctx) => {
  const jobs_removed = await ctx.queue.removeFinished(ctx.settings.retentionDays * 86_400_000);
  let temp_files_removed = 0;
  const dir = ctx.settings.thumbnailDir;
  for (const name of (await readdir(dir).catch(() => [])).filter((n) => n.endsWith(TEMP_SUFFIX))) {
    const s = await lstat(join(dir, name)).catch(() => null);
    // An hour old: surely no live ffmpeg run is still writing it.
    if (s?.isFile() && Date.now() - s.mtimeMs > TEMP_MAX_AGE_MS)
      temp_files_removed += await rm(join(dir, name), { force: true }).then(() => 1);
  }
  return { jobs_removed, temp_files_removed };
};
