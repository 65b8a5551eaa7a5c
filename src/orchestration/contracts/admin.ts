import { z } from 'zod';
import { defineContract } from './define.ts';
import { Id, IsoDate } from './common.ts';

/** One audited admin change: who (id and username at the time), what, on what, from where, when. */
export const AuditEntry = z.object({
  id: Id,
  actor_id: Id,
  actor_name: z.string().nullable(),
  /** approve_user, reject_user, suspend_user, retry_job, library_scan. */
  action: z.string(),
  /** What was changed, as `user:<id>` or `job:<id>`. */
  target: z.string().nullable(),
  details: z.record(z.string(), z.unknown()),
  client_ip: z.string().nullable(),
  at: IsoDate,
});

export const adminV1 = defineContract('admin', 'v1', {
  actions: {
    get_audit_log: {
      input: z.object({
        page: z.number().int().min(1).default(1),
        limit: z.number().int().min(1).max(100).default(50),
      }),
      output: z.object({
        items: z.array(AuditEntry),
        total: z.number().int(),
        page: z.number().int(),
        limit: z.number().int(),
      }),
      description: 'The audit log, newest first. Entries are kept at least 400 days.',
    },
  },
  events: {
    /** Sent after each audited change (a hint: the audit log is the record). */
    admin_action: z.object({ actor_id: Id, action: z.string(), target: z.string().nullable() }),
  },
});
