/**
 * `thumbnail`: one frame, 480 px wide, JPEG. The middle of the video first; a black frame (ffmpeg's
 * blackframe filter) → a later time; no frame at all (a seek past a broken end) → earlier, then
 * no seek. Written under a temporary name and renamed, so a reader never sees half a file.
 */
import { randomUUID } from 'node:crypto';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { resolveUnder } from '../../../platform/paths.ts';
import { TEMP_SUFFIX, THUMBNAIL_WIDTH, WorkerErrors } from '../models.ts';
import { emit, mediaOf, run, type JobContext, type JobHandler } from './common.ts';
import { probeFile } from './probe.ts';

/**
 * Grabs the frame at `at` s into `out`: 'ok', 'black', or 'none' when ffmpeg decoded nothing there.
 */
async function grab(
  ctx: JobContext,
  file: string,
  at: number,
  out: string,
): Promise<'ok' | 'black' | 'none'> {
  const filter = `blackframe=amount=98:threshold=32,scale=${THUMBNAIL_WIDTH}:-2`;
  const args = [
    '-hide_banner',
    '-nostdin',
    '-nostats',
    '-y',
    ...(at > 0 ? ['-ss', at.toFixed(3)] : []),
    '-i',
    file,
    '-frames:v',
    '1',
    '-vf',
    filter,
    '-q:v',
    '3',
    '-f',
    'image2',
    '-update',
    '1',
    out,
  ];
  const done = await run(ctx, 'ffmpeg', args).catch((err: Error & { code?: string }) =>
    err.code === 'FFMPEG_MISSING' || ctx.signal.aborted ? Promise.reject(err) : null,
  );
  if (
    !done ||
    !(await stat(out).then(
      (s) => s.size > 0,
      () => false,
    ))
  )
    return 'none';
  // blackframe logs only the frames it finds black
  return done.stderr.includes('pblack:') ? 'black' : 'ok';
}

export const thumbnail: JobHandler = async (ctx) => {
  const { content, file } = await mediaOf(ctx);
  const { duration_seconds: d } = await probeFile(ctx, file);
  await mkdir(ctx.settings.thumbnailDir, { recursive: true });
  const target = resolveUnder(ctx.settings.thumbnailDir, `${content.id}.jpg`);
  let chosen: { path: string; at: number } | undefined, black: typeof chosen;
  try {
    for (const at of d ? [0.5, 0.75, 0.9, 0.25, 0].map((f) => f * d) : [0]) {
      const path = `${target}.${randomUUID()}${TEMP_SUFFIX}`;
      const got = await grab(ctx, file, at, path);
      if (got === 'ok') chosen = { path, at };
      else if (got === 'black' && !black) black = { path, at };
      else await rm(path, { force: true });
      if (chosen) break;
    }
    chosen ??= black; // every candidate black: a black thumbnail beats none
    if (!chosen) throw WorkerErrors.media('ffmpeg could not decode a single frame of the video');
    await rename(chosen.path, target);
  } finally {
    await Promise.all(
      [chosen, black].map((c) => (c ? rm(c.path, { force: true }) : Promise.resolve())),
    );
  }
  const url = `/api/thumbnails/${content.id}.jpg`;
  await ctx.client.request('content:v1', 'update_content', {
    content_id: content.id,
    patch: { thumbnail_url: url },
  });
  await emit(ctx, 'thumbnail_generated', { content_id: content.id, thumbnail_url: url });
  return { thumbnail_url: url, at_seconds: Number(chosen.at.toFixed(3)), black: chosen === black };
};
