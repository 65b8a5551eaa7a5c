/**
 * Copies to the SSD, one at a time, in the order they were asked for. Whoever asked (a hot play,
 * warm_content) waits on the same promise; a purge cancels a queued or running copy, and close
 * fails whatever still waits.
 */
import { BlockError, type BlockClient } from '../../orchestration/index.ts';
import { SSD_HIGH_WATER } from './models.ts';
import type { Source, SsdEntry, SsdStore } from './ssd.ts';

interface Waiting {
  mediaPath: string;
  call: BlockClient;
  done: Promise<SsdEntry>;
  settle(err: unknown, entry?: SsdEntry): void;
}

export class Promotions {
  /** Promotions waiting, in order. `settle` answers whoever waits for it. */
  private readonly pending = new Map<string, Waiting>();
  private copying: Promise<void> | undefined;
  private current: { contentId: string; abort: AbortController } | undefined;

  constructor(
    private readonly ssd: SsdStore,
    /** The NAS file behind a media path, checked. */
    private readonly source: (mediaPath: string) => Promise<Source>,
  ) {}

  has(contentId: string): boolean {
    return this.pending.has(contentId);
  }

  /** Queues a copy, or joins the one already queued for this item; resolves when it is done. */
  queue(contentId: string, mediaPath: string, call: BlockClient): Promise<SsdEntry> {
    let settle!: (err: unknown, entry?: SsdEntry) => void;
    const done =
      this.pending.get(contentId)?.done ??
      new Promise<SsdEntry>((resolve, reject) => {
        // Forwards the copy's own failure (or the BlockError of purge/close) unchanged, so that
        // warm_content answers with its code.
        settle = (err, entry) =>
          // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- see above
          entry ? resolve(entry) : reject(err);
      });
    if (!this.pending.has(contentId))
      this.pending.set(contentId, { mediaPath, call, done, settle });
    this.copying ??= this.drain(); // a no-op while a drain runs (it reaches the new entry)
    return done;
  }

  /** The item is gone: whoever waits for its copy gets `err`, and a running copy stops. */
  cancel(contentId: string, err: BlockError): void {
    this.pending.get(contentId)?.settle(err);
    this.pending.delete(contentId);
    if (this.current?.contentId === contentId) this.current.abort.abort();
  }

  /** Resolves when no copy is running or waiting (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.copying) await this.copying;
  }

  /** Fails every waiting promotion with `err`, stops the running copy and waits for it. */
  async close(err: BlockError): Promise<void> {
    for (const job of this.pending.values()) job.settle(err);
    this.pending.clear();
    this.current?.abort.abort();
    await this.idle();
  }

  private async drain(): Promise<void> {
    for (const [contentId, job] of this.pending) {
      this.current = { contentId, abort: new AbortController() };
      const failed = (err: unknown) => (
        job.call.log.warn({ err, content_id: contentId }, 'copy to the SSD failed'),
        job.settle(err)
      );
      await this.promote(contentId, job.mediaPath, job.call, this.current.abort.signal).then(
        (entry) => job.settle(null, entry),
        failed,
      );
      if (this.pending.get(contentId) === job) this.pending.delete(contentId);
    }
    // No await between the loop's end and here: nothing can be queued unseen.
    this.current = this.copying = undefined;
  }

  private async promote(
    contentId: string,
    mediaPath: string,
    call: BlockClient,
    signal: AbortSignal,
  ): Promise<SsdEntry> {
    const { ssd } = this;
    const source = await this.source(mediaPath);
    const highWater = ssd.capacity * SSD_HIGH_WATER;
    if (source.size > highWater)
      throw new BlockError(
        'TOO_LARGE_FOR_SSD',
        `${contentId} (${source.size} bytes) is larger than 95 % of the SSD cache`,
        { status: 413 },
      );
    if (ssd.used + source.size > ssd.capacity) await ssd.evictTo(ssd.capacity - source.size);
    const entry = await ssd.copy(contentId, mediaPath, source, signal);
    call.log.info({ content_id: contentId, size: source.size }, 'copied to the SSD cache');
    const used = ssd.used;
    if (used > highWater)
      await call.publish('ssd_cache_full', {
        used_bytes: used,
        capacity_bytes: ssd.capacity,
        evicted: await ssd.evictTo(highWater),
      });
    return entry;
  }
}
