/**
 * The worker block: a durable job queue and the media jobs behind the catalog
 * (docs/blocks/07-worker.md).
 */
import { defineBlock, type BlockSetupContext } from '../../orchestration/index.ts';
import { openDatabaseFor } from '../../platform/database/index.ts';
import { BullQueue } from '../../platform/queue/bullmq.ts';
import type { JobQueue, QueueOptions } from '../../platform/queue/index.ts';
import { SqlQueue, migrations, type QueueDB } from '../../platform/queue/sql.ts';
import type { JobKind } from './models.ts';
import { workerRoutes } from './router.ts';
import { WorkerService } from './service.ts';
import { readWorkerSettings, thumbnailDirOf } from './settings.ts';

async function openQueue(
  ctx: BlockSetupContext,
  kind: string | undefined,
  settings: QueueOptions,
): Promise<{ queue: JobQueue<JobKind>; close: () => Promise<void> }> {
  const { redisUrl, busNamespace } = ctx.shared;
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
  const database = await openDatabaseFor<QueueDB>(ctx.shared, 'worker', migrations);
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
  settings: readWorkerSettings,
  async setup(ctx) {
    const settings = { ...ctx.settings, thumbnailDir: thumbnailDirOf(ctx.settings, ctx.shared) };
    const { queue, close } = await openQueue(ctx, settings.queueKind, {
      ...settings.queue,
      log: ctx.log,
    });
    const service = new WorkerService(queue, {
      client: ctx.client,
      log: ctx.log,
      shared: ctx.shared,
      settings,
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
      routes: (app) => workerRoutes(app, settings.thumbnailDir),
      health: () => service.health(),
      stop: () => service.close().finally(close),
    };
  },
});
