import fs from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import Database from 'better-sqlite3';
import { CompiledQuery, Kysely, SqliteDialect, SqliteDriver } from 'kysely';
import type { DatabaseConnection, Driver, SqliteDialectConfig } from 'kysely';
import { runMigrations } from './migrate.ts';
import { blockSqliteFile } from './naming.ts';
import type { BlockDatabase } from './types.ts';

/** How long a connection waits for another process's write lock before failing with SQLITE_BUSY. */
export const SQLITE_BUSY_TIMEOUT_MS = 5000;

/**
 * Kysely starts SQLite transactions with a plain (deferred) BEGIN, which takes the write lock only
 * at the first write. If another process commits in between, SQLite cannot upgrade a read snapshot
 * and fails with SQLITE_BUSY at once, without waiting for busy_timeout. BEGIN IMMEDIATE takes the
 * write lock up front and so does wait. That makes read-modify-write transactions in blocks (and
 * the migration runner) safe when several processes share a data directory. The cost, read-only
 * transactions also queuing for the write lock, is small next to that; plain queries outside a
 * transaction are unaffected.
 */
class ImmediateTransactionSqliteDriver extends SqliteDriver {
  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin immediate'));
  }
}

class ImmediateTransactionSqliteDialect extends SqliteDialect {
  readonly #config: SqliteDialectConfig;
  constructor(config: SqliteDialectConfig) {
    super(config);
    this.#config = config;
  }
  override createDriver(): Driver {
    return new ImmediateTransactionSqliteDriver(this.#config);
  }
}

// better-sqlite3 is synchronous: while one handle holds a write transaction across an `await`, a
// second handle on the same file in the same process would block the whole event loop in its busy
// wait, so the first can never commit (a self-deadlock that ends in SQLITE_BUSY). One handle per
// file per process avoids it; within a handle Kysely already serialises work on its single
// connection.
const openFiles = new Set<string>();

function isBusy(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('SQLITE_BUSY');
}

/**
 * WAL lets readers proceed while a writer commits, and is persistent: once set it sticks to the
 * file. Switching needs an exclusive lock, and when several processes open a brand-new file at the
 * same moment SQLite may refuse at once (SQLITE_BUSY without consulting busy_timeout, or by
 * returning the old mode) rather than risk a lock-upgrade deadlock. Only the first start of a fresh
 * data directory hits this, so retrying for up to the busy timeout is enough.
 */
async function enableWal(sqlite: Database.Database, file: string): Promise<void> {
  const deadline = Date.now() + SQLITE_BUSY_TIMEOUT_MS;
  for (;;) {
    let mode: unknown;
    try {
      mode = sqlite.pragma('journal_mode = WAL', { simple: true });
    } catch (err) {
      if (!isBusy(err) || Date.now() >= deadline) throw err;
    }
    if (mode === 'wal') return;
    if (mode !== undefined && Date.now() >= deadline) {
      throw new Error(`Could not enable WAL on ${file} (journal_mode is ${JSON.stringify(mode)})`);
    }
    // Jitter so that processes which collided once do not collide again in lockstep.
    await sleep(10 + Math.random() * 40);
  }
}

export async function openSqliteBlockDatabase<DB>(
  blockId: string,
  dataDir: string,
): Promise<BlockDatabase<DB>> {
  const file = blockSqliteFile(dataDir, blockId);
  if (openFiles.has(file)) {
    throw new Error(
      `SQLite database ${file} is already open in this process; share the existing BlockDatabase instead`,
    );
  }
  // Claimed before the first await so that two concurrent opens in this process cannot both pass
  // the check.
  openFiles.add(file);
  let sqlite: Database.Database | undefined;
  try {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    sqlite = new Database(file);
    // busy_timeout first so that switching the journal mode can itself wait for a lock held
    // elsewhere.
    sqlite.pragma(`busy_timeout = ${SQLITE_BUSY_TIMEOUT_MS}`);
    await enableWal(sqlite, file);
    // PostgreSQL always enforces foreign keys; plain SQLite does not unless asked, per connection.
    // The better-sqlite3 build happens to default it on, but that is a compile option of one build,
    // not a promise, and losing it would make a block's constraints hold on one dialect and
    // silently not on the other.
    sqlite.pragma('foreign_keys = ON');
    // In WAL mode NORMAL cannot corrupt the database; a power cut may lose the last few commits.
    // Acceptable here, and it saves an fsync per transaction.
    sqlite.pragma('synchronous = NORMAL');
  } catch (err) {
    sqlite?.close();
    openFiles.delete(file);
    throw err;
  }

  const db = new Kysely<DB>({
    dialect: new ImmediateTransactionSqliteDialect({ database: sqlite }),
  });

  let closing: Promise<void> | undefined;
  return {
    blockId,
    dialect: 'sqlite',
    location: file,
    db,
    migrate: (migrations) =>
      runMigrations({ blockId, dialect: 'sqlite', db, lock: async () => {} }, migrations),
    close() {
      closing ??= db.destroy().finally(() => {
        // Kysely only closes what it initialised; a handle that never ran a query still owns the
        // file.
        if (sqlite.open) sqlite.close();
        openFiles.delete(file);
      });
      return closing;
    },
  };
}
