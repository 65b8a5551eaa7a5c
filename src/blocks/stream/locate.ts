/**
 * Where a video's bytes are. The cache block answers (SSD copy or NAS path); while it cannot,
 * the stream block is DEGRADED: the path comes from the content database and the file from the
 * NAS, and slot decisions are made in this process (`call` runs each cache:v1 action with the
 * local answer as its fallback, and reports the mode once as it changes).
 */
import { realpath, stat } from 'node:fs/promises';
import { isAbsolute, relative, sep } from 'node:path';
import {
  BlockError,
  type ActionInput,
  type ActionName,
  type ActionOutput,
  type BlockClient,
  type HealthReport,
} from '../../orchestration/index.ts';
import { errorMessage } from '../../platform/errors.ts';
import { realPathUnder } from '../../platform/paths.ts';
import { CACHE_TIMEOUT_MS, StreamErrors, type MediaFile } from './models.ts';

type Cache<A extends ActionName<'cache:v1'>> = ActionOutput<'cache:v1', A>;

export class Locator {
  private degradedSince: number | null = null;
  /** The SSD cache directory, as the cache block reports it; asked once, when first needed. */
  private ssdRoot: Promise<string> | undefined;
  private nasRoot: Promise<string> | undefined;

  constructor(private readonly libraryDir: string) {}

  locate(content_id: string, via: BlockClient): Promise<MediaFile> {
    return this.call(via, 'get_stream_path', { content_id }, () =>
      this.fromNas(content_id, via),
    ).then(
      ({ path, tier, size }) => ({ content_id, path, tier, size }),
      (err) => Promise.reject(this.fileError(err, content_id)),
    );
  }

  /** A cache:v1 call that falls back to `local` when the cache cannot answer. */
  async call<A extends ActionName<'cache:v1'>>(
    via: BlockClient,
    action: A,
    input: ActionInput<'cache:v1', A>,
    local: () => Cache<A> | Promise<Cache<A>>,
  ): Promise<Cache<A>> {
    let fell = false;
    const out = await via.request('cache:v1', action, input, {
      timeoutMs: CACHE_TIMEOUT_MS,
      fallback: (_input, failure) => {
        fell = true;
        if (this.degradedSince === null)
          via.log.warn(
            { code: failure.code },
            'cache unavailable: DEGRADED mode, files from the NAS, slot limits kept locally',
          );
        this.degradedSince ??= Date.now();
        return local();
      },
    });
    if (!fell && this.degradedSince !== null) {
      this.degradedSince = null;
      via.log.info('cache is back: stream paths and slots come from the cache again');
    }
    return out;
  }

  health(): HealthReport {
    const since = this.degradedSince;
    return since === null
      ? { status: 'healthy' }
      : {
          status: 'degraded',
          reason: `cache unavailable since ${new Date(since).toISOString()}: serving from the NAS, slot limits kept in this process`,
        };
  }

  /** A 404 or 503 for a file that cannot be found or read, whatever the underlying failure. */
  fileError(err: unknown, content_id: string): BlockError {
    if (
      err instanceof BlockError &&
      (err.code === 'FILE_UNAVAILABLE' || err.code === 'CONTENT_NOT_FOUND')
    )
      return err;
    return err instanceof BlockError && err.status === 404
      ? StreamErrors.notFound(content_id)
      : StreamErrors.unavailable(errorMessage(err));
  }

  /** `<tier>/<relative path>` for X-Accel-Redirect, each segment percent-encoded. */
  async internalPath(file: MediaFile, via: BlockClient): Promise<string> {
    const root = await (file.tier === 'nas' ? this.nasDir() : this.ssdDir(via));
    const rel = relative(root, file.path);
    if (!rel || rel.startsWith('..') || isAbsolute(rel))
      throw StreamErrors.unavailable(`the ${file.tier} file is outside its root`);
    return `${file.tier}/${rel.split(sep).map(encodeURIComponent).join('/')}`;
  }

  /** The cache-down fallback: the path from the content database, the file from the NAS. */
  private async fromNas(content_id: string, via: BlockClient): Promise<Cache<'get_stream_path'>> {
    const item = await via.request('content:v1', 'get_content', { content_id });
    if (!item) throw StreamErrors.notFound(content_id);
    const path = await realPathUnder(this.libraryDir, item.media_path).catch(
      (err: NodeJS.ErrnoException) => Promise.reject(StreamErrors.io(err)),
    );
    const st = await stat(path);
    return { path, tier: 'nas', size: st.size, mtime_ms: st.mtimeMs };
  }

  private nasDir(): Promise<string> {
    this.nasRoot ??= realpath(this.libraryDir).catch(() => this.libraryDir);
    return this.nasRoot;
  }

  private ssdDir(via: BlockClient): Promise<string> {
    this.ssdRoot ??= via
      .request('cache:v1', 'get_cache_stats', {}, { timeoutMs: CACHE_TIMEOUT_MS })
      .then(({ ssd: { dir } }) => {
        if (!dir) throw new Error('the cache does not report it');
        return realpath(dir).catch(() => dir);
      })
      .catch((err: unknown) => {
        this.ssdRoot = undefined; // ask again next time
        throw StreamErrors.unavailable(`the SSD cache directory is unknown: ${errorMessage(err)}`);
      });
    return this.ssdRoot;
  }
}
