/**
 * `cache_warm`: asks the cache block to copy a hot video to its SSD tier (`cache:v1 warm_content`).
 * The cache owns the copy (its file names, temporary name + rename, verification, index and
 * eviction); the job makes the request durable and retried. An up-to-date copy answers copied:
 * false.
 */
import { emit, type JobHandler } from './common.ts';

export const cacheWarm: JobHandler = async (ctx) => {
  const [content_id, given] = [String(ctx.job.payload.content_id), ctx.job.payload.media_path];
  await ctx.progress(0);
  const media_path = typeof given === 'string' ? given : undefined;
  // The cache may take the attempt's whole remaining time limit (a copy of several GiB takes
  // minutes).
  const warmed = await ctx.client.request(
    'cache:v1',
    'warm_content',
    { content_id, media_path },
    { timeoutMs: Math.max(1, ctx.deadline - Date.now()) },
  );
  await ctx.progress(100);
  if (warmed.copied) await emit(ctx, 'cache_warmed', { content_id, bytes: warmed.bytes });
  return warmed;
};
