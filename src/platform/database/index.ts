/**
 * Persistence platform: one database per block.
 *
 * Every block gets a database of its own: a SQLite file `<dataDir>/db/<blockId>.sqlite` by default,
 * or the PostgreSQL schema `wsoptv_<blockId>` when DATABASE_URL is set. The rules below exist so a
 * block can be replaced, scaled or moved to another store without touching any other block.
 *
 * 1. A block owns its tables. Only the block's own code opens its database, and only that block's
 *    migrations change its schema. Another block's data is reached by asking that block, through
 *    the orchestration layer, never by reading its tables. A shared table would couple two blocks'
 *    release cycles and schema changes, which is the thing the block split is meant to prevent.
 *
 * 2. No cross-block reads. The layout enforces this rather than trusting discipline: SQLite files
 *    are separate databases, and on PostgreSQL each pool's search_path contains only the block's
 *    own schema, so an unqualified `select * from users` in the search block fails instead of
 *    quietly reading the auth block's users. Do not work around it with schema-qualified names or
 *    ATTACH.
 *
 * 3. Migrations live in the block's folder (e.g. `src/blocks/auth/migrations.ts`) as an array of
 *    `Migration` passed to `migrate()` at start-up. The history is kept in a `_migrations` table
 *    inside the block's own database, so each block's schema version travels with its data. Ids
 *    sort as plain strings (`0001_create_users`); a shipped migration is never edited or renamed, a
 *    change is a new migration.
 *
 * 4. Queries are written once, unqualified, and must run on both dialects. That is why values cross
 *    the boundary in portable shapes: timestamps as epoch ms in `bigint` columns, JSON as text,
 *    booleans as 0/1 integers (see ./columns.ts for the reasons). `dialect` is available for the
 *    rare statement that must differ; prefer Kysely's builders, which already compile per dialect.
 *
 * 5. Open each block database once per process and share the handle (SQLite enforces this; see
 *    ./sqlite.ts).
 */
export { openBlockDatabase } from './open.ts';
export type {
  BlockDatabase,
  DatabaseDialect,
  MigrateResult,
  Migration,
  OpenBlockDatabaseOptions,
} from './types.ts';
export { MIGRATIONS_TABLE } from './migrate.ts';
export { MigrationError, isUniqueViolation } from './errors.ts';
export { columnType, fromJsonText, toEpochMs, toIsoString, toJsonText } from './columns.ts';
export type { EpochMs, JsonText } from './columns.ts';
export { DEFAULT_SCHEMA_PREFIX, blockSchemaName, blockSqliteFile } from './naming.ts';
export { dropPostgresSchemas } from './postgres.ts';
export { SQLITE_BUSY_TIMEOUT_MS } from './sqlite.ts';
export { openDatabaseFor, type DatabaseLocation } from './from-config.ts';
export { databaseHealth, type DatabaseHealth } from './health.ts';
