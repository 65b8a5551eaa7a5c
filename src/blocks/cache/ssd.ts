/**
 * L3: copies of hot videos in the SSD cache directory, tracked by content id.
 *
 * A copy is named `<base64url(content id)>~<hash of media path><ext>`: the name alone says
 * which item and which source path it copies, so the index is rebuilt from a directory listing
 * at start-up and a copy of a path the item no longer has is never served. The copy's mtime is
 * set to the source's, so "same size and same mtime" means "same file" (and a player's
 * Last-Modified/ETag does not change when a video moves from NAS to SSD). Copies are written to
 * a dot-prefixed temporary name and renamed when complete; leftovers are removed at start-up.
 */
import { createHash, randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { lstat, mkdir, readdir, rename, stat, statfs, unlink, utimes } from 'node:fs/promises';
import { basename, extname } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { realPathUnder, resolveUnder } from '../../platform/paths.ts';

export type Source = { path: string; size: number; mtimeMs: number };
/** `tag`: hash of the media path copied; `lastUsed`: for LRU eviction. */
export type SsdEntry = Source & { contentId: string; tag: string; lastUsed: number };

const NAME = /^([A-Za-z0-9_-]+)~([0-9a-f]{16})(\.[A-Za-z0-9]{1,8})?$/;
const tagOf = (mediaPath: string) =>
  createHash('sha256').update(mediaPath).digest('hex').slice(0, 16);
/** Same file: same size, and mtimes equal to the millisecond (utimes keeps microseconds). */
export const sameFile = (
  a: { size: number; mtimeMs: number },
  b: { size: number; mtimeMs: number },
) => a.size === b.size && Math.abs(a.mtimeMs - b.mtimeMs) < 1;

export class SsdStore {
  readonly entries = new Map<string, SsdEntry>();

  constructor(
    readonly dir: string,
    readonly capacity: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** The filesystem holding the directory, in bytes; null when it cannot be read (e.g. gone). */
  async filesystem(): Promise<{
    total_bytes: number;
    free_bytes: number;
    used_bytes: number;
  } | null> {
    try {
      const fs = await statfs(this.dir);
      const total = fs.bsize * fs.blocks;
      const free = fs.bsize * fs.bavail;
      return { total_bytes: total, free_bytes: free, used_bytes: total - free };
    } catch {
      return null;
    }
  }

  get used(): number {
    return [...this.entries.values()].reduce((sum, e) => sum + e.size, 0);
  }

  /**
   * Creates the directory, removes half-written copies, indexes the finished ones (last use =
   * atime).
   */
  async open(): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    for (const name of await readdir(this.dir)) {
      const path = resolveUnder(this.dir, name);
      const m = NAME.exec(name);
      if (name.startsWith('.') && name.endsWith('.tmp')) await unlink(path).catch(() => {});
      if (!m) continue;
      const st = await lstat(path); // a symlink is never taken for a copy
      const contentId = Buffer.from(m[1], 'base64url').toString();
      if (st.isFile())
        this.entries.set(contentId, {
          contentId,
          tag: m[2],
          path,
          size: st.size,
          mtimeMs: st.mtimeMs,
          lastUsed: st.atimeMs,
        });
    }
  }

  /**
   * The copy of this item's current media path, if there is one (a copy of another path is
   * dropped).
   */
  async lookup(contentId: string, mediaPath: string): Promise<SsdEntry | undefined> {
    const entry = this.entries.get(contentId);
    if (entry && entry.tag !== tagOf(mediaPath)) await this.discard(contentId);
    else return entry;
  }

  /**
   * The copy as it is on disk now (confined to the SSD directory), or undefined when it is gone.
   */
  async verify(entry: SsdEntry): Promise<Source | undefined> {
    const path = await realPathUnder(this.dir, basename(entry.path)).catch(() => undefined);
    const st = path ? await stat(path).catch(() => undefined) : undefined;
    return path && st?.isFile() ? { path, size: st.size, mtimeMs: st.mtimeMs } : undefined;
  }

  touch = (entry: SsdEntry) => void (entry.lastUsed = this.now());

  async discard(contentId: string): Promise<void> {
    const entry = this.entries.get(contentId);
    this.entries.delete(contentId);
    if (entry) await unlink(entry.path).catch(() => {});
  }

  /** Copies `source` to the SSD under a temporary name, then renames it into place. */
  async copy(
    contentId: string,
    mediaPath: string,
    source: Source,
    signal?: AbortSignal,
  ): Promise<SsdEntry> {
    await this.discard(contentId); // an older copy, of another path or an older version
    const tag = tagOf(mediaPath);
    const ext = /^\.[A-Za-z0-9]{1,8}$/.test(extname(mediaPath)) ? extname(mediaPath) : '';
    const name = `${Buffer.from(contentId).toString('base64url')}~${tag}${ext}`;
    const path = resolveUnder(this.dir, name);
    const tmp = resolveUnder(this.dir, `.${name}.${process.pid}.${randomUUID().slice(0, 8)}.tmp`);
    try {
      await pipeline(
        createReadStream(source.path, { highWaterMark: 1 << 20 }),
        createWriteStream(tmp, { flags: 'wx' }),
        { signal },
      );
      const [after, copied] = await Promise.all([stat(source.path), stat(tmp)]);
      if (!sameFile(after, source) || copied.size !== source.size)
        throw new Error(`source ${mediaPath} changed while it was copied`);
      await utimes(tmp, this.now() / 1000, source.mtimeMs / 1000);
      signal?.throwIfAborted();
      await rename(tmp, path);
    } catch (err) {
      await unlink(tmp).catch(() => {});
      throw err;
    }
    const entry = {
      contentId,
      tag,
      path,
      size: source.size,
      mtimeMs: (await stat(path)).mtimeMs,
      lastUsed: this.now(),
    };
    this.entries.set(contentId, entry);
    return entry;
  }

  /**
   * Removes least-recently-used copies until at most `limit` bytes are used; returns how many went.
   */
  async evictTo(limit: number): Promise<number> {
    let evicted = 0;
    for (const e of [...this.entries.values()].sort((a, b) => a.lastUsed - b.lastUsed)) {
      if (this.used <= limit) break;
      await this.discard(e.contentId);
      evicted++;
    }
    return evicted;
  }
}
