/** The health of a block's database: one round trip, the same on SQLite and PostgreSQL. */
import { sql, type Kysely } from 'kysely';
import { errorMessage } from '../errors.ts';

export type DatabaseHealth = { status: 'healthy' } | { status: 'unhealthy'; reason: string };

export async function databaseHealth<DB>(db: Kysely<DB>): Promise<DatabaseHealth> {
  try {
    await sql`select 1`.execute(db);
    return { status: 'healthy' };
  } catch (err) {
    return { status: 'unhealthy', reason: `database unreachable: ${errorMessage(err)}` };
  }
}
