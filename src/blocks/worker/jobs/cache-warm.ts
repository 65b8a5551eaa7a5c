/**
 * `cache_warm`: copies a hot video from the NAS to `<ssd dir>/<content_id>.mp4` through a temporary
 * name and a rename. The copy keeps the original's mtime, so "same size and mtime" means up to date
 * and a second warm of the same video is skipped. The cache block finds the file by its name.
 */
import { randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rename, rm, stat, utimes } from 'node:fs/promises';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { realPathUnder, resolveUnder } from '../../../platform/paths.ts';
import { TEMP_SUFFIX } from '../models.ts';
import { emit, mediaOf, type JobHandler } from './common.ts';

export const cacheWarm: JobHandler = async (ctx) => {
  const [id, given] = [String(ctx.job.payload.content_id), ctx.job.payload.media_path];
  const source = typeof given === 'string' ? await realPathUnder(ctx.config.libraryDir, given) : (await mediaOf(ctx)).file;
  await mkdir(ctx.config.cache.ssdDir, { recursive: true });
  const target = resolveUnder(ctx.config.cache.ssdDir, `${id}.mp4`);
  const [src, old] = await Promise.all([stat(source), stat(target).catch(() => null)]);
  if (old && old.size === src.size && Math.abs(old.mtimeMs - src.mtimeMs) < 1) return { skipped: true, bytes: src.size };
  const temp = `${target}.${randomUUID()}${TEMP_SUFFIX}`;
  let [copied, shown] = [0, 0];
  const count = new Transform({
    transform(chunk: Buffer, _enc, next) {
      const percent = Math.floor(((copied += chunk.length) * 100) / (src.size || 1));
      if (percent > shown) void ctx.progress((shown = percent)).catch(() => {});
      next(null, chunk);
    },
  });
  try {
    await pipeline(createReadStream(source, { highWaterMark: 1 << 20 }), count, createWriteStream(temp), { signal: ctx.signal });
    await utimes(temp, src.atimeMs / 1000, src.mtimeMs / 1000);
    await rename(temp, target);
  } finally {
    await rm(temp, { force: true });
  }
  await emit(ctx, 'cache_warmed', { content_id: id, bytes: src.size });
  return { skipped: false, bytes: src.size };
};
