/** The worker block: a durable job queue and the media jobs behind the catalog (docs/blocks/07-worker.md). */
import { z } from 'zod';
import { defineBlock, type BlockSetupContext } from '../../orchestration/index.ts';
import { openDatabaseFor } from '../../platform/database/index.ts';
import { BullQueue } from '../../platform/queue/bullmq.ts';
import type { JobQueue, QueueOptions, QueueSettings } from '../../platform/queue/index.ts';
import { SqlQueue, migrations, type QueueDB } from '../../platform/queue/sql.ts';
import type { JobKind } from './models.ts';
import { workerRoutes } from './router.ts';
import { WorkerService } from './service.ts';

const ms = (def: number, min: number) => z.coerce.number().int().min(min).default(def);
/** Settings of this block that the platform configuration does not have (yet); checked the same way. */
const Env = z.object({
  WSOPTV_FFMPEG: z.string().min(1).default('ffmpeg'),
  WSOPTV_FFPROBE: z.string().min(1).default('ffprobe'),
  /** Default: BullMQ when REDIS_URL is set, else the SQL table. `sql` keeps jobs in PostgreSQL even with Redis. */
  WSOPTV_JOB_QUEUE: z.enum(['sql', 'bullmq']).optional(),
  WSOPTV_JOB_LEASE_MS: ms(30_000, 100),
  WSOPTV_JOB_BACKOFF_MS: ms(1000, 1),
  WSOPTV_JOB_POLL_MS: ms(250, 5),
});

async function openQueue(
  ctx: BlockSetupContext,
  kind: string | undefined,
  settings: QueueOptions,
): Promise<{ queue: JobQueue<JobKind>; close: () => Promise<void> }> {
  const { redisUrl, busNamespace } = ctx.config;
  if (kind === 'bullmq' && !redisUrl) throw new Error('WSOPTV_JOB_QUEUE=bullmq needs REDIS_URL');
  if (redisUrl && kind !== 'sql')
    return {
      queue: new BullQueue<JobKind>(
        redisUrl,
        busNamespace ? `${busNamespace}-jobs` : 'jobs',
        settings,
      ),
      close: async () => {},
    };
  const database = await openDatabaseFor<QueueDB>(ctx.config, 'worker', migrations);
  return {
    queue: new SqlQueue<JobKind>(database.db, settings, database.dialect),
    close: () => database.close(),
  };
}

export default defineBlock({
  id: 'worker',
  name: 'Worker',
  version: '1.0.0',
  contracts: ['worker:v1'],
  dependencies: [{ contract: 'content:v1' }, { contract: 'cache:v1', optional: true }],
  endpoints: ['/api/thumbnails'],
  async setup(ctx) {
    const parsed = Env.safeParse(
      Object.fromEntries(Object.entries(process.env).filter(([, v]) => v)),
    );
    if (!parsed.success)
      throw new Error(
        `invalid worker settings: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
      );
    const env = parsed.data;
    const { worker } = ctx.config;
    const settings: QueueSettings = {
      concurrency: worker.concurrency,
      timeoutMs: worker.jobTimeoutMs,
      backoffBaseMs: env.WSOPTV_JOB_BACKOFF_MS,
      leaseMs: env.WSOPTV_JOB_LEASE_MS,
      pollMs: env.WSOPTV_JOB_POLL_MS,
    };
    const { queue, close } = await openQueue(ctx, env.WSOPTV_JOB_QUEUE, {
      ...settings,
      log: ctx.log,
    });
    const service = new WorkerService(queue, ctx, {
      ffmpeg: env.WSOPTV_FFMPEG,
      ffprobe: env.WSOPTV_FFPROBE,
    });
    service.start();
    return {
      handlers: {
        'worker:v1': {
          enqueue: (input) => service.enqueue(input),
          get_job: ({ job_id }) => queue.get(job_id),
          list_jobs: (input) => queue.list(input),
          retry_job: ({ job_id }) => queue.retry(job_id),
          get_queue_stats: () => queue.stats(),
        },
      },
      events: {
        content_added: ({ content_id }) => service.contentAdded(content_id),
        hot_content_detected: ({ content_id, media_path }) =>
          service.hotContent(content_id, media_path),
      },
      routes: (app) => workerRoutes(app, worker.thumbnailDir),
      health: () => service.health(),
      stop: () => service.close().finally(close),
    };
  },
});
