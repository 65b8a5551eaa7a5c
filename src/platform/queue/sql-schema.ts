/**
 * The job queue's table in the owning block's database, and the migration that makes it. One
 * index serves the claim (status, priority, due time); another the newest-first listing. A row
 * reads as a Job through toJob.
 */
import type { ExpressionBuilder } from 'kysely';
import { fromJsonText, toIsoString, type JsonText, type Migration } from '../database/index.ts';
import { PRIORITIES, type Job, type Status } from './index.ts';

export interface JobsTable {
  id: string;
  type: string;
  priority: number;
  status: string;
  payload: JsonText<Record<string, unknown>>;
  attempts: number;
  max_attempts: number;
  progress: number;
  result: JsonText<unknown> | null;
  error: string | null;
  created_at: number;
  updated_at: number;
  run_at: number;
  lease_until: number | null;
  lease_owner: string | null;
  finished_at: number | null;
}

export interface QueueDB {
  jobs: JobsTable;
}

export const migrations: Migration[] = [
  {
    id: '0001_jobs',
    async up(db) {
      await db.schema
        .createTable('jobs')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('type', 'text', (c) => c.notNull())
        .addColumn('priority', 'integer', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('payload', 'text', (c) => c.notNull())
        .addColumn('attempts', 'integer', (c) => c.notNull())
        .addColumn('max_attempts', 'integer', (c) => c.notNull())
        .addColumn('progress', 'double precision', (c) => c.notNull())
        .addColumn('result', 'text')
        .addColumn('error', 'text')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .addColumn('run_at', 'bigint', (c) => c.notNull())
        .addColumn('lease_until', 'bigint')
        .addColumn('lease_owner', 'text')
        .addColumn('finished_at', 'bigint')
        .execute();
      await db.schema
        .createIndex('jobs_claim')
        .on('jobs')
        .columns(['status', 'priority', 'run_at'])
        .execute();
      await db.schema.createIndex('jobs_created').on('jobs').columns(['created_at']).execute();
    },
  },
];

export const toJob = <K extends string>(r: JobsTable): Job<K> => ({
  id: r.id,
  type: r.type as K,
  priority: PRIORITIES[r.priority],
  status: r.status as Status,
  payload: fromJsonText(r.payload),
  attempts: r.attempts,
  max_attempts: r.max_attempts,
  progress: r.progress,
  result: r.result === null ? null : fromJsonText(r.result),
  error: r.error,
  created_at: toIsoString(r.created_at),
  updated_at: toIsoString(r.updated_at),
  run_at: toIsoString(r.run_at),
});

/**
 * Waiting and due: one range of the (status, priority, run_at) index, whatever the number of
 * finished jobs.
 */
export const claimable = (now: number) => (eb: ExpressionBuilder<QueueDB, 'jobs'>) =>
  eb.and([eb('status', 'in', ['pending', 'retrying']), eb('run_at', '<=', now)]);
