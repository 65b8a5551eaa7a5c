import type { Kysely, Transaction } from 'kysely';
import { MigrationError } from './errors.ts';
import type { DatabaseDialect, MigrateResult, Migration } from './types.ts';

/**
 * Bookkeeping table, created in the block's own database / schema so each block's history travels
 * with its data.
 */
export const MIGRATIONS_TABLE = '_migrations';

interface MigrationsDB {
  _migrations: { id: string; applied_at: number };
}

export interface MigrationTarget {
  blockId: string;
  dialect: DatabaseDialect;
  // Migrations run on the schema of their day, not on the block's DB type.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- see the line above
  db: Kysely<any>;
  /**
   * Runs first in every migration transaction and must block until no other process is migrating
   * the same block. PostgreSQL takes an advisory transaction lock; SQLite needs nothing here
   * because its transactions already begin with BEGIN IMMEDIATE, which takes the database write
   * lock up front.
   */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- as for db above
  lock(trx: Transaction<any>): Promise<void>;
}

function checkMigrations(blockId: string, migrations: readonly Migration[]): Migration[] {
  const seen = new Set<string>();
  for (const m of migrations) {
    if (typeof m.id !== 'string' || m.id.length === 0) {
      throw new Error(`Block ${blockId}: a migration has an empty id`);
    }
    if (typeof m.up !== 'function') {
      throw new Error(`Block ${blockId}: migration ${m.id} has no up() function`);
    }
    if (seen.has(m.id)) {
      throw new Error(`Block ${blockId}: duplicate migration id ${m.id}`);
    }
    seen.add(m.id);
  }
  // Code-unit comparison rather than localeCompare: the order must not depend on the host's locale.
  return [...migrations].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

export async function runMigrations(
  target: MigrationTarget,
  migrations: readonly Migration[],
): Promise<MigrateResult> {
  const sorted = checkMigrations(target.blockId, migrations);
  const db = target.db as Kysely<MigrationsDB>;

  // Creating the table also happens under the lock: on PostgreSQL two concurrent
  // CREATE TABLE IF NOT EXISTS can still collide on the catalog's unique index.
  await db.transaction().execute(async (trx) => {
    await target.lock(trx);
    await trx.schema
      .createTable(MIGRATIONS_TABLE)
      .ifNotExists()
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('applied_at', 'bigint', (c) => c.notNull())
      .execute();
  });

  // Unlocked read first so the common case (nothing pending, every restart) takes no write lock.
  const done = new Set(
    (await db.selectFrom('_migrations').select('id').execute()).map((r) => r.id),
  );
  const applied: string[] = [];

  for (const migration of sorted) {
    if (done.has(migration.id)) continue;
    // One transaction per migration: a failure rolls back only that migration (DDL is transactional
    // on both engines), and everything before it stays recorded, so a fixed release resumes where
    // it stopped.
    const didApply = await db.transaction().execute(async (trx) => {
      await target.lock(trx);
      // Re-check under the lock: another process may have applied it since the unlocked read.
      const already = await trx
        .selectFrom('_migrations')
        .select('id')
        .where('id', '=', migration.id)
        .executeTakeFirst();
      if (already) return false;
      try {
        await migration.up(trx, target.dialect);
      } catch (err) {
        throw new MigrationError(target.blockId, migration.id, err);
      }
      await trx
        .insertInto('_migrations')
        .values({ id: migration.id, applied_at: Date.now() })
        .execute();
      return true;
    });
    if (didApply) applied.push(migration.id);
  }

  return { applied };
}
