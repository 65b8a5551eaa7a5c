/**
 * The worker: validates and enqueues jobs, runs them from the queue, turns events into jobs and
 * keeps the housekeeping going (hourly cleanup, a first library scan on an empty catalog).
 * Jobs enqueued because of an event get an id derived from the event, so several worker
 * processes hearing the same broadcast enqueue the job once.
 */
import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import type { BlockClient, BlockSetupContext, HealthReport } from '../../orchestration/index.ts';
import { emit, run } from './jobs/common.ts';
import { JOBS } from './jobs/index.ts';
import { errorText, type JobQueue, type Priority } from '../../platform/queue/index.ts';
import { WorkerErrors, type Job, type JobKind } from './models.ts';
import type { ResolvedWorkerSettings } from './settings.ts';

const HOUR = 3600_000;
/** A UUID-shaped id that is the same for the same key (and time bucket). */
const stableId = (key: string, bucketMs = Infinity) =>
  createHash('sha256')
    .update(`${key}:${Math.floor(Date.now() / bucketMs)}`)
    .digest('hex')
    .slice(0, 32)
    .replace(/(.{8})(.{4})(.{4})(.{4})(.{12})/, '$1-$2-$3-$4-$5');

export interface ServiceContext {
  client: BlockClient;
  settings: ResolvedWorkerSettings;
  shared: BlockSetupContext['shared'];
  log: Logger;
}

export class WorkerService {
  private readonly missingTools: string[] = [];
  private readonly timers: NodeJS.Timeout[] = [];

  constructor(
    readonly queue: JobQueue<JobKind>,
    private readonly ctx: ServiceContext,
  ) {}

  start(): void {
    const { client, settings, shared } = this.ctx;
    this.queue.start(
      (job, progress, signal) =>
        JOBS[job.type].run({
          job,
          progress,
          signal,
          deadline: Date.now() + settings.queue.timeoutMs,
          client: client.withCorrelation(job.id),
          settings,
          shared,
          queue: this.queue,
        }),
      (job) => {
        client.log.warn(
          { job_id: job.id, type: job.type, error: job.error },
          'job failed for good',
        );
        void emit({ client }, 'job_failed', {
          job_id: job.id,
          type: job.type,
          error: job.error ?? 'unknown',
        });
      },
    );
    const housekeeping = () =>
      void this.enqueue(
        { type: 'cleanup', payload: {}, priority: 'low' },
        stableId('cleanup', HOUR),
      ).catch(() => {});
    housekeeping();
    this.timers.push(setInterval(housekeeping, HOUR).unref());
    for (const program of ['ffprobe', 'ffmpeg'] as const) {
      run({ settings, signal: AbortSignal.timeout(10_000) }, program, ['-version']).catch(
        (err: { code?: string }) => {
          if (err.code === 'FFMPEG_MISSING')
            this.missingTools.push(`${program} (${settings.tools[program]})`);
        },
      );
    }
    if (settings.scanOnStart) void this.scanIfEmpty(10);
  }

  async enqueue(
    input: { type: JobKind; payload: Record<string, unknown>; priority: Priority },
    id?: string,
  ): Promise<Job> {
    const checked = JOBS[input.type].payload.safeParse(input.payload);
    if (!checked.success)
      throw WorkerErrors.badPayload(
        input.type,
        checked.error.issues
          .map((i) => `${i.path.join('.') || 'payload'}: ${i.message}`)
          .join('; '),
      );
    return this.queue.add({ ...input, payload: checked.data, id });
  }

  async contentAdded(contentId: string): Promise<void> {
    for (const type of ['probe', 'thumbnail'] as const)
      await this.enqueue(
        { type, payload: { content_id: contentId }, priority: 'normal' },
        stableId(`${type}:${contentId}`),
      );
  }

  async hotContent(contentId: string, mediaPath: string): Promise<void> {
    await this.enqueue(
      {
        type: 'cache_warm',
        payload: { content_id: contentId, media_path: mediaPath },
        priority: 'high',
      },
      stableId(`cache_warm:${contentId}`, HOUR),
    );
  }

  /**
   * One scan when content's catalog is empty. Content may not be up yet: retried every 2 s, never a
   * failed start.
   */
  private async scanIfEmpty(triesLeft: number): Promise<void> {
    try {
      const { total } = await this.ctx.client.request('content:v1', 'list_contents', { limit: 1 });
      if (total === 0)
        await this.enqueue(
          { type: 'library_scan', payload: {}, priority: 'normal' },
          stableId('library_scan:start', 10 * 60_000),
        );
    } catch (err) {
      this.ctx.log.warn({ err, triesLeft }, 'start-up library scan: content not reachable yet');
      if (triesLeft > 1)
        this.timers.push(setTimeout(() => void this.scanIfEmpty(triesLeft - 1), 2000).unref());
    }
  }

  async health(): Promise<HealthReport> {
    const broken = await this.queue.stats().then(() => null, errorText);
    if (broken) return { status: 'unhealthy', reason: `job store unreachable: ${broken}` };
    return this.missingTools.length
      ? {
          status: 'degraded',
          reason: `${this.missingTools.join(' and ')} not found: probe and thumbnail jobs fail`,
        }
      : { status: 'healthy' };
  }

  async close(): Promise<void> {
    this.timers.forEach(clearTimeout);
    await this.queue.close();
  }
}
