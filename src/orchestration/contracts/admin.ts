import { z } from 'zod';
import { defineContract } from './define.ts';
import { Id, IsoDate } from './common.ts';

export const AuditEntry = z.object({
  id: Id,
  actor_id: Id,
  action: z.string(),
  target: z.string().nullable(),
  details: z.record(z.string(), z.unknown()),
  client_ip: z.string().nullable(),
  at: IsoDate,
});

export const adminV1 = defineContract('admin', 'v1', {
  actions: {
    get_audit_log: {
      input: z.object({ page: z.number().int().min(1).default(1), limit: z.number().int().min(1).max(100).default(50) }),
      output: z.object({ items: z.array(AuditEntry), total: z.number().int(), page: z.number().int() }),
    },
  },
  events: {
    admin_action: z.object({ actor_id: Id, action: z.string(), target: z.string().nullable() }),
  },
});
