/** The admin block's table, limits and every error code it raises, in one place. */
import type { Generated } from 'kysely';
import { BlockError, isInfrastructureError, toBlockError } from '../../orchestration/index.ts';
import type { JsonText } from '../../platform/database/index.ts';

export interface AuditTable {
  /** Auto-increment: insertion order breaks ties between entries of the same millisecond. */
  id: Generated<number>;
  actor_id: string;
  /** The admin's username when the action was taken (users may later be renamed or removed). */
  actor_name: string | null;
  action: string;
  target: string | null;
  details: JsonText<Record<string, unknown>>;
  client_ip: string | null;
  /** Epoch ms. */
  at: number;
}

export interface AdminDB {
  audit_log: AuditTable;
}

/** Audit entries are kept at least this long; the cleanup never deletes anything younger. */
export const AUDIT_RETENTION_DAYS = 400;
export const AUDIT_CLEANUP_EVERY_MS = 24 * 3600_000;
/**
 * Budget of one call to another block from a dashboard route (a slow block must not hang the page).
 */
export const CALL_TIMEOUT_MS = 3000;
/** Budget of each probe behind /admin/status, which must answer in < 500 ms whatever is down. */
export const STATUS_PROBE_MS = 250;

/**
 * What an admin can change, as named to auth:v1 check_permission(resource "admin") and in the audit
 * log.
 */
export const AdminActions = {
  approve: 'approve_user',
  reject: 'reject_user',
  suspend: 'suspend_user',
  retry: 'retry_job',
  scan: 'library_scan',
  replay: 'replay_dead_letter',
} as const;
export type AdminAction = (typeof AdminActions)[keyof typeof AdminActions];

export const AdminErrors = {
  denied: (action: string, reason: string | null) =>
    new BlockError(
      'FORBIDDEN',
      `you may not ${action.replace('_', ' ')}${reason ? `: ${reason}` : ''}`,
      { status: 403 },
    ),
  jobNotFound: (id: string) =>
    new BlockError('JOB_NOT_FOUND', `no job with id ${JSON.stringify(id)}`, { status: 404 }),
  deadLetterNotFound: (id: string) =>
    new BlockError(
      'DEAD_LETTER_NOT_FOUND',
      `no dead letter ${JSON.stringify(id)} for that event and block (already replayed?)`,
      { status: 404 },
    ),
  /**
   * What a route answers when another block fails: its business errors pass through unchanged
   * (code and status), while "cannot answer" (down, timeout, open breaker, crash) is a 503 that
   * keeps the block's code, never a 500 or a hang.
   */
  upstream: (block: string, err: unknown): BlockError => {
    const e = toBlockError(err);
    if (!isInfrastructureError(e)) return e;
    const message =
      e.code === 'TIMEOUT'
        ? `the ${block} service did not answer in time (TIMEOUT); if this was a change, check whether it was made before repeating it`
        : `the ${block} service is not answering (${e.code}); please try again shortly`;
    return new BlockError(e.code, message, { status: 503, retryable: true, details: { block } });
  },
} as const;
