/**
 * `library_scan`: walks the library for `*.mp4` (any case) and creates a content item for each
 * file content does not know yet. First folder = catalog ("Unsorted" at the root), cleaned file
 * name = title. Symlinked folders are not entered; a symlinked file counts only when its target is
 * inside the library. Dot files (macOS `._x.mp4` forks on NAS shares) are ignored.
 */
import type { Dirent } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { isInfrastructureError } from '../../../orchestration/index.ts';
import { realPathUnder } from '../../../platform/paths.ts';
import { emit, type JobHandler } from './common.ts';

export const titleOf = (name: string) =>
  name
    .replace(/\.mp4$/i, '')
    .replace(/[_.-]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, 300) || name;

async function* walk(root: string, rel = ''): AsyncGenerator<string> {
  const entries: Dirent[] = await readdir(join(root, rel), { withFileTypes: true });
  for (const e of entries
    .filter((x) => !x.name.startsWith('.'))
    .sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const path = rel ? `${rel}/${e.name}` : e.name;
    if (e.isDirectory()) yield* walk(root, path);
    else if (
      /\.mp4$/i.test(e.name) &&
      (e.isFile() ||
        (e.isSymbolicLink() &&
          (await realPathUnder(root, path)
            .then((p) => stat(p))
            .then(
              (s) => s.isFile(),
              () => false,
            ))))
    )
      yield path;
  }
}

export const libraryScan: JobHandler = async (ctx) => {
  const [root, files] = [ctx.shared.libraryDir, [] as string[]];
  for await (const f of walk(root)) files.push(f);
  let [added, skipped, errors, shown] = [0, 0, 0, 0];
  for (const [i, media_path] of files.entries()) {
    ctx.signal.throwIfAborted();
    try {
      const parts = media_path.split('/');
      if ((await ctx.client.request('content:v1', 'content_exists_by_path', { media_path })).exists)
        skipped++;
      else
        added += await ctx.client
          .request('content:v1', 'create_content', {
            title: titleOf(parts.at(-1)!),
            catalog: parts.length > 1 ? parts[0] : 'Unsorted',
            media_path,
            file_size: (await stat(join(root, media_path))).size,
          })
          .then(() => 1);
    } catch (err) {
      if (isInfrastructureError(err)) throw err; // content is down: fail this attempt, retry later
      errors++; // e.g. a name content refuses: skip the file, keep scanning
      ctx.client.log.warn({ err, media_path }, 'library scan: file skipped');
    }
    const percent = Math.floor(((i + 1) * 100) / files.length);
    if (percent > shown) await ctx.progress((shown = percent));
  }
  const counts = { scanned: files.length, new: added, skipped };
  await emit(ctx, 'library_scan_completed', { job_id: ctx.job.id, ...counts });
  return { ...counts, errors };
};
