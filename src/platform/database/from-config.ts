/**
 * Opens a block's database where the process configuration says (SQLite by default, PostgreSQL
 * with DATABASE_URL) and, given the block's migrations, brings its schema up to date — closing
 * the handle again if that fails, so a block whose setup throws never leaks a pool or a file lock.
 */
import { openBlockDatabase } from './open.ts';
import type { BlockDatabase, Migration } from './types.ts';

/** Where block databases live: the data directory, or PostgreSQL when a URL is set. */
export interface DatabaseLocation {
  readonly dataDir: string;
  readonly databaseUrl?: string;
  /** PostgreSQL schemas are `<prefix>_<block>`. */
  readonly dbSchemaPrefix: string;
}

export async function openDatabaseFor<DB>(
  config: DatabaseLocation,
  blockId: string,
  migrations?: readonly Migration[],
): Promise<BlockDatabase<DB>> {
  const database = await openBlockDatabase<DB>({
    blockId,
    dataDir: config.dataDir,
    databaseUrl: config.databaseUrl,
    schemaPrefix: config.dbSchemaPrefix,
  });
  if (!migrations) return database;
  try {
    await database.migrate(migrations);
    return database;
  } catch (err) {
    await database.close();
    throw err;
  }
}
