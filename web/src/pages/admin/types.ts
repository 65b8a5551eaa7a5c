/**
 * What the dashboard's panels read from the admin API, declared once. Loose on purpose: the
 * admin block was finished alongside, so optional fields abound and the rest is read through
 * `Dict` with the helpers in read.ts.
 */

/** A JSON object whose fields are read one by one (see read.ts). */
export type Dict = Record<string, unknown>;

/** One block process in GET /api/admin/status. */
export interface BlockRow {
  id: string;
  name?: string;
  status?: string;
  status_reason?: string | null;
  version?: string;
  breaker?: string | { state?: string };
  node_id?: string;
  contracts?: string[];
  last_seen?: string;
}

/** A queued job: GET /api/admin/jobs, GET /api/admin/jobs/:id, POST /api/admin/library/scan. */
export interface Job {
  id: string;
  type: string;
  status: string;
  priority?: string;
  progress?: number;
  attempts?: number;
  max_attempts?: number;
  error?: string | null;
  result?: unknown;
  created_at?: string;
  updated_at?: string;
  payload?: Dict;
}

/** One line of GET /api/admin/audit. */
export interface AuditEntry {
  id: string;
  actor_id?: string;
  actor?: string;
  actor_name?: string | null;
  action: string;
  target?: string | null;
  details?: Dict;
  client_ip?: string | null;
  at?: string;
}

/** A domain event a block kept failing on and gave up: GET /api/admin/dead-letters. */
export interface DeadLetter {
  channel: string;
  group: string;
  id: string;
  deliveries: number;
  error: string;
  at: string;
  message: string;
}
