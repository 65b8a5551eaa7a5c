/**
 * The audit log: the admin block's own data. Every change made through the dashboard is written
 * here after it succeeded; entries older than the retention are pruned.
 */
import type { z } from 'zod';
import { sql, type Kysely } from 'kysely';
import type { AuditEntry } from '../../orchestration/index.ts';
import {
  fromJsonText,
  toIsoString,
  toJsonText,
  type BlockDatabase,
} from '../../platform/database/index.ts';
import { AUDIT_RETENTION_DAYS, type AdminAction, type AdminDB, type AuditTable } from './models.ts';

type Entry = z.output<typeof AuditEntry>;
/** The admin making a change, as the route saw them. */
export interface Actor {
  id: string;
  username: string | null;
  ip: string | null;
}
export interface AuditInput {
  action: AdminAction;
  target: string | null;
  details?: Record<string, unknown>;
}

const toEntry = (r: Omit<AuditTable, 'id'> & { id: number }): Entry => ({
  id: String(r.id),
  actor_id: r.actor_id,
  actor_name: r.actor_name,
  action: r.action,
  target: r.target,
  details: fromJsonText(r.details),
  client_ip: r.client_ip,
  at: toIsoString(Number(r.at)),
});

export class AuditLog {
  private readonly db: Kysely<AdminDB>;

  constructor(
    private readonly database: BlockDatabase<AdminDB>,
    readonly now: () => number = Date.now,
  ) {
    this.db = database.db;
  }

  async record(actor: Actor, input: AuditInput): Promise<Entry> {
    const row = {
      actor_id: actor.id,
      actor_name: actor.username,
      action: input.action,
      target: input.target,
      details: toJsonText(input.details ?? {}),
      client_ip: actor.ip,
      at: this.now(),
    };
    const { id } = await this.db
      .insertInto('audit_log')
      .values(row)
      .returning('id')
      .executeTakeFirstOrThrow();
    return toEntry({ ...row, id });
  }

  /** Newest first. */
  async page(page: number, limit: number) {
    const rows = await this.db
      .selectFrom('audit_log')
      .selectAll()
      .orderBy('at', 'desc')
      .orderBy('id', 'desc')
      .limit(limit)
      .offset((page - 1) * limit)
      .execute();
    const { n } = await this.db
      .selectFrom('audit_log')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    return { items: rows.map(toEntry), total: Number(n), page, limit };
  }

  /**
   * Deletes entries older than the retention (400 days): never anything younger. Returns how many
   * went.
   */
  async prune(): Promise<number> {
    const cutoff = this.now() - AUDIT_RETENTION_DAYS * 86_400_000;
    const res = await this.db.deleteFrom('audit_log').where('at', '<', cutoff).executeTakeFirst();
    return Number(res.numDeletedRows);
  }

  async health() {
    await sql`select 1`.execute(this.db);
    return { status: 'healthy' as const };
  }

  close(): Promise<void> {
    return this.database.close();
  }
}
