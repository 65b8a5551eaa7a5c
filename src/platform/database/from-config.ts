/** Opens a block's database where the process configuration says: SQLite by default, PostgreSQL with DATABASE_URL. */
import type { AppConfig } from '../config.ts';
import { openBlockDatabase } from './open.ts';
import type { BlockDatabase } from './types.ts';

export function openDatabaseFor<DB>(config: Readonly<AppConfig>, blockId: string): Promise<BlockDatabase<DB>> {
  return openBlockDatabase<DB>({ blockId, dataDir: config.dataDir, databaseUrl: config.databaseUrl, schemaPrefix: config.dbSchemaPrefix });
}
