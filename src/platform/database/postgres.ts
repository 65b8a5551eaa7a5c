import pg from 'pg';
import { Kysely, PostgresDialect, sql } from 'kysely';
import { runMigrations } from './migrate.ts';
import { DEFAULT_SCHEMA_PREFIX, assertIdentifier, blockSchemaName } from './naming.ts';
import type { BlockDatabase } from './types.ts';

// First key of the two-key advisory lock form, so our locks cannot collide with advisory locks some
// other application on the same server takes with a single bigint key. 0x57534f50 is "WSOP" in
// ASCII.
const ADVISORY_LOCK_NAMESPACE = 0x5753_4f50;

// Fail instead of hanging forever when the server is unreachable (pg's default is no timeout).
const CONNECT_TIMEOUT_MS = 10_000;

const OID_INT8 = 20;

// pg returns int8 (bigint, and the result of count(*)) as a string because it can exceed 2^53.
// SQLite returns numbers, and timestamps are epoch ms in bigint columns, so without this a block
// would read a number on one dialect and a string on the other. Values outside the safe range fail
// the query loudly rather than silently losing precision.
function parseInt8(value: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n)) {
    throw new RangeError(`int8 value ${value} is outside JavaScript's safe integer range`);
  }
  return n;
}

function typeParsers(): pg.CustomTypesConfig {
  // Scoped to our pools; mutating the global pg.types would change behaviour for any other pg user
  // in the process.
  const types = new pg.TypeOverrides();
  types.setTypeParser(OID_INT8, parseInt8);
  return types;
}

/**
 * Connection settings that pin every pooled connection's search_path to the block's schema, so
 * block code writes unqualified table names that resolve to its own schema on PostgreSQL and to its
 * own file on SQLite. The block schema is the only entry: `public` or another block's schema is
 * deliberately not reachable.
 *
 * pg lets parameters inside the connection string override the config object, so an `options`
 * parameter already present in DATABASE_URL would silently drop ours; it is moved out of the URL
 * and combined instead.
 */
function connectionSettings(
  databaseUrl: string,
  schema: string,
): { connectionString: string; options: string } {
  const searchPath = `-c search_path=${schema}`;
  let url: URL;
  try {
    url = new URL(databaseUrl);
  } catch {
    return { connectionString: databaseUrl, options: searchPath };
  }
  const existing = url.searchParams.get('options');
  if (existing === null) {
    return { connectionString: databaseUrl, options: searchPath };
  }
  url.searchParams.delete('options');
  return { connectionString: url.toString(), options: `${existing} ${searchPath}` };
}

/**
 * Creates the schema if absent. Under an advisory lock because two processes running CREATE SCHEMA
 * IF NOT EXISTS at once can still fail on the catalog's unique index. Checks the catalog first so
 * that a deployment whose schemas were created by an administrator does not need CREATE on the
 * database (PostgreSQL checks that privilege even when the schema already exists).
 */
async function ensureSchema(pool: pg.Pool, schema: string): Promise<void> {
  const client = await pool.connect();
  let failure: Error | undefined;
  try {
    await client.query('begin');
    await client.query('select pg_advisory_xact_lock($1::int, hashtext($2::text))', [
      ADVISORY_LOCK_NAMESPACE,
      schema,
    ]);
    const found = await client.query('select 1 from pg_namespace where nspname = $1', [schema]);
    if (found.rowCount === 0) {
      await client.query(`create schema ${pg.escapeIdentifier(schema)}`);
    }
    await client.query('commit');
  } catch (err) {
    failure = err instanceof Error ? err : new Error(String(err));
    await client.query('rollback').catch(() => {});
    throw err;
  } finally {
    // Passing the error makes the pool discard the connection instead of reusing one in an unknown
    // state.
    client.release(failure);
  }
}

export interface OpenPostgresOptions {
  blockId: string;
  databaseUrl: string;
  schemaPrefix?: string;
  maxConnections?: number;
  onConnectionError?: (err: Error) => void;
}

export async function openPostgresBlockDatabase<DB>(
  opts: OpenPostgresOptions,
): Promise<BlockDatabase<DB>> {
  const { blockId } = opts;
  const schema = blockSchemaName(blockId, opts.schemaPrefix);
  const pool = new pg.Pool({
    ...connectionSettings(opts.databaseUrl, schema),
    max: opts.maxConnections ?? 5,
    application_name: `wsoptv:${blockId}`,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    types: typeParsers(),
  });
  pool.on(
    'error',
    opts.onConnectionError ??
      ((err) => {
        console.error(`[database:${blockId}] idle PostgreSQL connection failed: ${err.message}`);
      }),
  );

  try {
    await ensureSchema(pool, schema);
  } catch (err) {
    await pool.end().catch(() => {});
    throw err;
  }

  const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
  let closing: Promise<void> | undefined;
  return {
    blockId,
    dialect: 'postgres',
    location: schema,
    db,
    migrate: (migrations) =>
      runMigrations(
        {
          blockId,
          dialect: 'postgres',
          db,
          // Keyed by schema, so different blocks (and test runs with their own prefix) migrate in
          // parallel; released automatically when the migration's transaction commits or rolls
          // back.
          lock: async (trx) => {
            await sql`select pg_advisory_xact_lock(${ADVISORY_LOCK_NAMESPACE}::int, hashtext(${schema}::text))`.execute(
              trx,
            );
          },
        },
        migrations,
      ),
    close() {
      closing ??= (async () => {
        await db.destroy();
        // Kysely ends the pool only if it ever used it; ensureSchema always did.
        if (!pool.ended && !pool.ending) await pool.end();
      })();
      return closing;
    },
  };
}

/**
 * Drops every schema named `<schemaPrefix>_*`, with everything in it. Meant for tests that opened
 * blocks with their own `schemaPrefix`. Refuses the production prefix so it cannot be pointed at
 * real data.
 */
export async function dropPostgresSchemas(
  databaseUrl: string,
  schemaPrefix: string,
): Promise<string[]> {
  assertIdentifier('schemaPrefix', schemaPrefix);
  if (schemaPrefix === DEFAULT_SCHEMA_PREFIX) {
    throw new Error(
      `Refusing to drop schemas with the production prefix "${DEFAULT_SCHEMA_PREFIX}"`,
    );
  }
  const client = new pg.Client({
    connectionString: databaseUrl,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
  });
  await client.connect();
  try {
    const { rows } = await client.query<{ nspname: string }>(
      'select nspname from pg_namespace where starts_with(nspname, $1) order by nspname',
      [`${schemaPrefix}_`],
    );
    for (const { nspname } of rows) {
      await client.query(`drop schema if exists ${pg.escapeIdentifier(nspname)} cascade`);
    }
    return rows.map((r) => r.nspname);
  } finally {
    await client.end();
  }
}
