import { z } from 'zod';
import { defineContract } from './define.ts';
import { Id, IsoDate } from './common.ts';

export const JobType = z.enum(['probe', 'thumbnail', 'library_scan', 'cache_warm', 'cleanup']);
export const JobPriority = z.enum(['urgent', 'high', 'normal', 'low']);
export const JobStatus = z.enum(['pending', 'processing', 'completed', 'failed', 'retrying']);

export const Job = z.object({
  id: Id,
  type: JobType,
  priority: JobPriority,
  status: JobStatus,
  payload: z.record(z.string(), z.unknown()),
  attempts: z.number().int(),
  max_attempts: z.number().int(),
  progress: z.number().min(0).max(100),
  result: z.unknown().nullable(),
  error: z.string().nullable(),
  created_at: IsoDate,
  updated_at: IsoDate,
  run_at: IsoDate,
});

export const workerV1 = defineContract('worker', 'v1', {
  actions: {
    enqueue: {
      input: z.object({
        type: JobType,
        payload: z.record(z.string(), z.unknown()).default({}),
        priority: JobPriority.default('normal'),
      }),
      output: Job,
      description:
        'Durable: the job survives worker restarts and crashes. Fails (BLOCK_UNAVAILABLE) while no worker runs; callers may retry.',
    },
    get_job: { input: z.object({ job_id: Id }), output: Job.nullable() },
    list_jobs: {
      input: z.object({
        status: JobStatus.optional(),
        limit: z.number().int().min(1).max(100).default(20),
        offset: z.number().int().min(0).default(0),
      }),
      output: z.object({ items: z.array(Job), total: z.number().int() }),
    },
    retry_job: {
      input: z.object({ job_id: Id }),
      output: Job,
      description:
        'Re-queues a failed job with a fresh set of attempts; JOB_NOT_RETRYABLE (409) for any other status.',
    },
    get_queue_stats: { input: z.object({}), output: z.record(JobStatus, z.number().int()) },
  },
  events: {
    thumbnail_generated: z.object({ content_id: Id, thumbnail_url: z.string() }),
    library_scan_completed: z.object({
      job_id: Id,
      scanned: z.number().int(),
      new: z.number().int(),
      skipped: z.number().int(),
    }),
    job_failed: z.object({ job_id: Id, type: JobType, error: z.string() }),
    /**
     * A cache_warm job had the cache block copy a hot video to its SSD tier (cache:v1 warm_content
     * answered copied=true).
     */
    cache_warmed: z.object({ content_id: Id, bytes: z.number().int() }),
  },
});
