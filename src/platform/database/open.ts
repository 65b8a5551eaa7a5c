import { openPostgresBlockDatabase } from './postgres.ts';
import { openSqliteBlockDatabase } from './sqlite.ts';
import type { BlockDatabase, OpenBlockDatabaseOptions } from './types.ts';

/**
 * Opens (creating on first use) the database of one block: `<dataDir>/db/<blockId>.sqlite` by
 * default, or the schema `<schemaPrefix>_<blockId>` on PostgreSQL when `databaseUrl` is given. `DB`
 * is the block's Kysely table interface; it is not checked against the real schema, migrations are
 * what make it true.
 */
export async function openBlockDatabase<DB>(
  opts: OpenBlockDatabaseOptions,
): Promise<BlockDatabase<DB>> {
  // An empty DATABASE_URL (e.g. `DATABASE_URL=` in a .env file) means "not configured", not
  // "connect to ''".
  if (opts.databaseUrl !== undefined && opts.databaseUrl.trim() !== '') {
    return openPostgresBlockDatabase<DB>({
      blockId: opts.blockId,
      databaseUrl: opts.databaseUrl,
      schemaPrefix: opts.schemaPrefix,
      maxConnections: opts.maxConnections,
      onConnectionError: opts.onConnectionError,
    });
  }
  return openSqliteBlockDatabase<DB>(opts.blockId, opts.dataDir);
}
