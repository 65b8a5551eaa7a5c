import type { Kysely } from 'kysely';

/**
 * Which engine a block database runs on. Migrations receive it so the rare dialect-specific DDL can
 * branch.
 */
export type DatabaseDialect = 'sqlite' | 'postgres';

export interface OpenBlockDatabaseOptions {
  /** Block id, e.g. `auth`. Lowercase letters, digits and `_`, starting with a letter. */
  blockId: string;
  /**
   * Data directory (the app passes `WSOPTV_DATA_DIR`, default `./data`). SQLite files live in
   * `<dataDir>/db/`.
   */
  dataDir: string;
  /** When set (non-empty), use PostgreSQL instead of SQLite. */
  databaseUrl?: string;
  /**
   * PostgreSQL schema prefix; the block's schema is `<schemaPrefix>_<blockId>`. Default `wsoptv`.
   * Tests pass a unique prefix so they can run against a shared server and drop their schemas
   * afterwards. Ignored on SQLite, where isolation comes from the data directory.
   */
  schemaPrefix?: string;
  /**
   * PostgreSQL pool size for this block. Default 5: seven blocks share one server's connection
   * budget.
   */
  maxConnections?: number;
  /**
   * Called when an idle pooled PostgreSQL connection fails (server restart, network drop). The pool
   * already discards the broken connection; the hook exists so the app can log it. Default: a
   * console.error line. Without some listener Node would crash the process on the pool's 'error'
   * event.
   */
  onConnectionError?: (err: Error) => void;
}

/**
 * One schema change owned by a block. Lives in the block's own folder (e.g.
 * `src/blocks/auth/migrations.ts`).
 *
 * `up` runs inside a transaction that the runner opens; it must not open its own (on PostgreSQL a
 * nested BEGIN would only warn and its COMMIT would end the runner's transaction early; Kysely
 * refuses it anyway).
 */
export interface Migration {
  /**
   * Sorted by plain string comparison, so use a zero-padded prefix: `0001_create_users`. Never
   * rename once shipped.
   */
  id: string;
  // A migration runs against the schema as it was at that point in history, not the block's
  // current `DB` type.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- see the comment above
  up(db: Kysely<any>, dialect: DatabaseDialect): Promise<void>;
}

export interface MigrateResult {
  /**
   * Ids this call applied, in order. Empty when everything was already applied (possibly by another
   * process).
   */
  applied: string[];
}

export interface BlockDatabase<DB> {
  readonly blockId: string;
  readonly dialect: DatabaseDialect;
  /**
   * SQLite: absolute path of the database file. PostgreSQL: the schema name. For logs and
   * diagnostics.
   */
  readonly location: string;
  readonly db: Kysely<DB>;
  /**
   * Applies pending migrations in id order, one transaction each. Idempotent; safe to call from
   * several processes at once.
   */
  migrate(migrations: readonly Migration[]): Promise<MigrateResult>;
  /** Closes the file / pool. Idempotent. */
  close(): Promise<void>;
}
