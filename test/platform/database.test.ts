/**
 * Persistence platform tests. One contract (`databaseContract`) runs against both real backends:
 * SQLite in a temporary data directory, and the PostgreSQL server at TEST_DATABASE_URL /
 * DATABASE_URL (default postgres://postgres@127.0.0.1:5432/test) under a schema prefix unique to
 * this run, dropped afterwards. No mocks: every assertion is about what the database actually did.
 *
 * PostgreSQL availability: with CI=true the suite always runs, so an unreachable server fails the
 * build. Locally an unreachable server skips the PostgreSQL suite with a loud warning instead.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { sql } from 'kysely';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import {
  MigrationError,
  SQLITE_BUSY_TIMEOUT_MS,
  blockSchemaName,
  blockSqliteFile,
  columnType,
  dropPostgresSchemas,
  fromJsonText,
  isUniqueViolation,
  openBlockDatabase,
  toEpochMs,
  toIsoString,
  toJsonText,
} from '../../src/platform/database/index.ts';
import type {
  BlockDatabase,
  DatabaseDialect,
  EpochMs,
  JsonText,
  Migration,
  OpenBlockDatabaseOptions,
} from '../../src/platform/database/index.ts';

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CHILD_SCRIPT = fileURLToPath(new URL('./fixtures/migrate-child.ts', import.meta.url));

// -------------------------------------------------------------------------------------------------
// Backends
// -------------------------------------------------------------------------------------------------

/**
 * A fresh, empty place to open block databases in: its own data directory or its own schema prefix.
 */
interface Env {
  options(blockId: string): OpenBlockDatabaseOptions;
  /** Opens a block database; every handle is closed after the test. */
  open<DB = any>(blockId: string): Promise<BlockDatabase<DB>>;
  /** Whether the block's file / schema exists, checked from outside the platform code. */
  storageExists(blockId: string): Promise<boolean>;
}

interface Backend {
  dialect: DatabaseDialect;
  newEnv(): Env;
  /** Dialect-specific connection settings the platform promises (WAL, search_path, ...). */
  assertSessionSettings(handle: BlockDatabase<unknown>, env: Env): Promise<void>;
  cleanup(): Promise<void>;
}

const openHandles: BlockDatabase<unknown>[] = [];

afterEach(async () => {
  const handles = openHandles.splice(0);
  await Promise.all(handles.map((h) => h.close()));
});

function trackingOpen(options: (blockId: string) => OpenBlockDatabaseOptions) {
  return async <DB = any>(blockId: string): Promise<BlockDatabase<DB>> => {
    const handle = await openBlockDatabase<DB>(options(blockId));
    openHandles.push(handle as BlockDatabase<unknown>);
    return handle;
  };
}

function sqliteBackend(): Backend {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'wsoptv-db-test-'));
  let n = 0;
  return {
    dialect: 'sqlite',
    newEnv() {
      const dataDir = path.join(root, `env${++n}`);
      const options = (blockId: string): OpenBlockDatabaseOptions => ({ blockId, dataDir });
      return {
        options,
        open: trackingOpen(options),
        storageExists: async (blockId) => fs.existsSync(blockSqliteFile(dataDir, blockId)),
      };
    },
    async assertSessionSettings(handle, env) {
      expect(handle.location).toBe(
        blockSqliteFile(env.options(handle.blockId).dataDir, handle.blockId),
      );
      const { rows: journal } = await sql<{ journal_mode: string }>`pragma journal_mode`.execute(
        handle.db,
      );
      expect(journal[0]?.journal_mode).toBe('wal');
      const { rows: fk } = await sql<{ foreign_keys: number }>`pragma foreign_keys`.execute(
        handle.db,
      );
      expect(fk[0]?.foreign_keys).toBe(1);
      const { rows: busy } = await sql<{ timeout: number }>`pragma busy_timeout`.execute(handle.db);
      expect(busy[0]?.timeout).toBe(SQLITE_BUSY_TIMEOUT_MS);
    },
    async cleanup() {
      fs.rmSync(root, { recursive: true, force: true });
    },
  };
}

const PG_URL =
  process.env.TEST_DATABASE_URL ||
  process.env.DATABASE_URL ||
  'postgres://postgres@127.0.0.1:5432/test';

function postgresBackend(): Backend {
  // Unique per run so parallel runs (several developers, CI shards) on one server cannot interfere.
  const runPrefix = `wsoptvtest_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
  const admin = new pg.Pool({ connectionString: PG_URL, max: 2 });
  let n = 0;
  return {
    dialect: 'postgres',
    newEnv() {
      const schemaPrefix = `${runPrefix}_e${++n}`;
      const options = (blockId: string): OpenBlockDatabaseOptions => ({
        blockId,
        dataDir: '',
        databaseUrl: PG_URL,
        schemaPrefix,
      });
      return {
        options,
        open: trackingOpen(options),
        async storageExists(blockId) {
          const res = await admin.query('select 1 from pg_namespace where nspname = $1', [
            blockSchemaName(blockId, schemaPrefix),
          ]);
          return res.rowCount === 1;
        },
      };
    },
    async assertSessionSettings(handle, env) {
      const schema = blockSchemaName(handle.blockId, env.options(handle.blockId).schemaPrefix);
      expect(handle.location).toBe(schema);
      const { rows } = await sql<{
        schema: string;
        path: string;
      }>`select current_schema() as schema, current_setting('search_path') as path`.execute(
        handle.db,
      );
      expect(rows[0]).toEqual({ schema, path: schema });
    },
    async cleanup() {
      try {
        const dropped = await dropPostgresSchemas(PG_URL, runPrefix);
        const left = await admin.query(
          'select nspname from pg_namespace where starts_with(nspname, $1)',
          [`${runPrefix}_`],
        );
        expect(left.rows).toEqual([]);
        expect(dropped.length).toBeGreaterThan(0);
      } finally {
        await admin.end();
      }
    },
  };
}

async function postgresUnreachableReason(url: string): Promise<string | null> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query('select 1');
    return null;
  } catch (err) {
    return err instanceof Error ? err.message || err.constructor.name : String(err);
  } finally {
    await client.end().catch(() => {});
  }
}

// -------------------------------------------------------------------------------------------------
// Helpers
// -------------------------------------------------------------------------------------------------

/**
 * Runs an unqualified select and reports whether the table was visible; any other failure is
 * rethrown.
 */
async function tableVisible(db: Kysely<any>, table: string): Promise<boolean> {
  try {
    await db.selectFrom(table).selectAll().limit(1).execute();
    return true;
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    if (/no such table|does not exist/.test(message)) return false;
    throw err;
  }
}

async function recordedMigrations(db: Kysely<any>): Promise<{ id: string; applied_at: number }[]> {
  return db.selectFrom('_migrations').select(['id', 'applied_at']).orderBy('id').execute();
}

async function countRows(db: Kysely<any>, table: string): Promise<number> {
  const row = await db
    .selectFrom(table)
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return row.n;
}

interface ChildResult {
  pid: number;
  applied: string[];
}

/**
 * Starts the migrate-child fixture in its own Node process, so SQLite locking is exercised for
 * real.
 */
function startChild(options: OpenBlockDatabaseOptions): {
  ready: Promise<void>;
  go(): void;
  done: Promise<ChildResult>;
} {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', CHILD_SCRIPT, JSON.stringify(options)],
    {
      cwd: REPO_ROOT,
      stdio: ['pipe', 'pipe', 'pipe'],
    },
  );
  let stdout = '';
  let stderr = '';
  let signalReady: () => void = () => {};
  const ready = new Promise<void>((resolve) => {
    signalReady = resolve;
  });
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
    if (stdout.split('\n').includes('ready')) signalReady();
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  const done = new Promise<ChildResult>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => {
      const last = stdout.trim().split('\n').pop() ?? '';
      if (code !== 0 || !last.startsWith('{')) {
        reject(
          new Error(`migrate child exited with ${code}\nstdout:\n${stdout}\nstderr:\n${stderr}`),
        );
        return;
      }
      resolve(JSON.parse(last) as ChildResult);
    });
  });
  // A child that dies before "ready" must fail the test rather than leave it waiting.
  const readyOrFail = Promise.race([ready, done.then(() => {})]);
  return {
    ready: readyOrFail,
    go: () => child.stdin.end('go\n'),
    done,
  };
}

// -------------------------------------------------------------------------------------------------
// The shared contract
// -------------------------------------------------------------------------------------------------

const createCatalog: Migration = {
  id: '0001_create_catalog',
  async up(db) {
    await db.schema
      .createTable('catalog')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('title', 'text', (c) => c.notNull())
      .execute();
  },
};

const seedCatalog: Migration = {
  id: '0002_seed_catalog',
  async up(db) {
    await db
      .insertInto('catalog')
      .values({ id: 'wsop-2003-main', title: 'Main Event 2003' })
      .execute();
  },
};

function databaseContract(makeBackend: () => Backend): void {
  const backend = makeBackend();
  afterAll(() => backend.cleanup());

  it('creates the block storage on first open, with the promised session settings', async () => {
    const env = backend.newEnv();
    expect(await env.storageExists('auth')).toBe(false);

    const handle = await env.open('auth');
    expect(handle.dialect).toBe(backend.dialect);
    expect(handle.blockId).toBe('auth');
    expect(await env.storageExists('auth')).toBe(true);
    await backend.assertSessionSettings(handle, env);

    // Only the block that was opened gets storage.
    expect(await env.storageExists('content')).toBe(false);
  });

  it('keeps data across close and reopen', async () => {
    const env = backend.newEnv();
    const first = await env.open('content');
    await first.migrate([createCatalog, seedCatalog]);
    await first.close();
    await first.close(); // idempotent

    const second = await env.open('content');
    expect(await second.db.selectFrom('catalog').select('title').execute()).toEqual([
      { title: 'Main Event 2003' },
    ]);
  });

  it('applies pending migrations once, in id order, and records them', async () => {
    const env = backend.newEnv();
    const handle = await env.open('content');
    const before = Date.now();

    // Given out of order: the seed only works if the table was created first.
    expect(await handle.migrate([seedCatalog, createCatalog])).toEqual({
      applied: ['0001_create_catalog', '0002_seed_catalog'],
    });

    const recorded = await recordedMigrations(handle.db);
    expect(recorded.map((r) => r.id)).toEqual(['0001_create_catalog', '0002_seed_catalog']);
    for (const r of recorded) {
      expect(typeof r.applied_at).toBe('number');
      expect(r.applied_at).toBeGreaterThanOrEqual(before);
      expect(r.applied_at).toBeLessThanOrEqual(Date.now());
    }
    expect(await countRows(handle.db, 'catalog')).toBe(1);

    // Re-running is a no-op: nothing applied, the seed did not run twice, the record is unchanged.
    expect(await handle.migrate([createCatalog, seedCatalog])).toEqual({ applied: [] });
    expect(await countRows(handle.db, 'catalog')).toBe(1);
    expect(await recordedMigrations(handle.db)).toEqual(recorded);

    // Also a no-op from a fresh handle (the record is persistent, not in memory), and a new
    // migration appended later is the only one applied.
    await handle.close();
    const reopened = await env.open('content');
    const addDuration: Migration = {
      id: '0003_add_duration',
      async up(db) {
        await db.schema
          .alterTable('catalog')
          .addColumn('duration_ms', columnType.timestamp)
          .execute();
      },
    };
    expect(await reopened.migrate([createCatalog, seedCatalog, addDuration])).toEqual({
      applied: ['0003_add_duration'],
    });
    expect((await recordedMigrations(reopened.db)).map((r) => r.id)).toEqual([
      '0001_create_catalog',
      '0002_seed_catalog',
      '0003_add_duration',
    ]);
  });

  it('rolls back a failing migration completely and resumes after it is fixed', async () => {
    const env = backend.newEnv();
    const handle = await env.open('content');
    const broken: Migration = {
      id: '0002_broken',
      async up(db) {
        // Both DDL and data changes happen before the failure; neither may survive it.
        await db.schema.createTable('half_done').addColumn('id', 'integer').execute();
        await db
          .insertInto('catalog')
          .values({ id: 'partial', title: 'should not exist' })
          .execute();
        throw new Error('boom in the middle');
      },
    };

    const failure = handle.migrate([createCatalog, broken]);
    await expect(failure).rejects.toBeInstanceOf(MigrationError);
    await expect(failure).rejects.toMatchObject({
      blockId: 'content',
      migrationId: '0002_broken',
      message: expect.stringContaining('boom in the middle'),
    });

    // The migration before it stays applied; the broken one left nothing behind.
    expect((await recordedMigrations(handle.db)).map((r) => r.id)).toEqual(['0001_create_catalog']);
    expect(await tableVisible(handle.db, 'catalog')).toBe(true);
    expect(await countRows(handle.db, 'catalog')).toBe(0);
    expect(await tableVisible(handle.db, 'half_done')).toBe(false);

    // A fixed migration with the same id is applied on the next start.
    const fixed: Migration = {
      id: '0002_broken',
      async up(db) {
        await db.schema.createTable('half_done').addColumn('id', 'integer').execute();
      },
    };
    expect(await handle.migrate([createCatalog, fixed])).toEqual({ applied: ['0002_broken'] });
    expect(await tableVisible(handle.db, 'half_done')).toBe(true);
  });

  it('rejects invalid migration lists before touching the database', async () => {
    const env = backend.newEnv();
    const handle = await env.open('content');
    await expect(
      handle.migrate([createCatalog, { ...seedCatalog, id: '0001_create_catalog' }]),
    ).rejects.toThrow(/duplicate migration id/);
    await expect(handle.migrate([{ ...createCatalog, id: '' }])).rejects.toThrow(/empty id/);
    expect(await tableVisible(handle.db, 'catalog')).toBe(false);
  });

  it('isolates blocks: an unqualified query never reaches another block', async () => {
    const env = backend.newEnv();
    const auth = await env.open('auth');
    const search = await env.open('search');

    await auth.migrate([
      {
        id: '0001_users',
        async up(db) {
          await db.schema
            .createTable('users')
            .addColumn('email', 'text', (c) => c.primaryKey())
            .execute();
          await db.insertInto('users').values({ email: 'dealer@wsop.example' }).execute();
        },
      },
    ]);

    expect(await tableVisible(auth.db, 'users')).toBe(true);
    expect(await tableVisible(search.db, 'users')).toBe(false);
    await expect(sql`select email from users`.execute(search.db)).rejects.toThrow(
      /no such table|does not exist/,
    );

    // The other block can own a table with the same name and entirely different content.
    await search.migrate([
      {
        id: '0001_users',
        async up(db) {
          await db.schema.createTable('users').addColumn('query', 'text').execute();
          await db.insertInto('users').values({ query: 'hellmuth' }).execute();
        },
      },
    ]);
    expect(await auth.db.selectFrom('users').selectAll().execute()).toEqual([
      { email: 'dealer@wsop.example' },
    ]);
    expect(await search.db.selectFrom('users').selectAll().execute()).toEqual([
      { query: 'hellmuth' },
    ]);

    // Each block keeps its own migration history, even for identical ids.
    expect((await recordedMigrations(auth.db)).map((r) => r.id)).toEqual(['0001_users']);
    expect((await recordedMigrations(search.db)).map((r) => r.id)).toEqual(['0001_users']);
  });

  it('detects unique violations, and only those', async () => {
    const env = backend.newEnv();
    const handle = await env.open('auth');
    await handle.migrate([
      {
        id: '0001_accounts',
        async up(db) {
          await db.schema
            .createTable('accounts')
            .addColumn('id', 'text', (c) => c.primaryKey())
            .addColumn('email', 'text', (c) => c.notNull().unique())
            .execute();
          await db.schema
            .createTable('sessions')
            .addColumn('id', 'text', (c) => c.primaryKey())
            .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.id'))
            .execute();
        },
      },
    ]);
    const { db } = handle;
    await db.insertInto('accounts').values({ id: 'a1', email: 'x@example.com' }).execute();

    const errorOf = async (p: Promise<unknown>): Promise<unknown> => {
      try {
        await p;
      } catch (err) {
        return err;
      }
      throw new Error('expected the statement to fail');
    };

    const duplicateEmail = await errorOf(
      db.insertInto('accounts').values({ id: 'a2', email: 'x@example.com' }).execute(),
    );
    expect(isUniqueViolation(duplicateEmail)).toBe(true);
    const duplicateKey = await errorOf(
      db.insertInto('accounts').values({ id: 'a1', email: 'y@example.com' }).execute(),
    );
    expect(isUniqueViolation(duplicateKey)).toBe(true);
    expect(isUniqueViolation(new Error('wrapped', { cause: duplicateEmail }))).toBe(true);

    // Other constraint failures are not unique violations. The foreign key one also proves that
    // foreign keys are enforced on this dialect.
    const missingParent = await errorOf(
      db.insertInto('sessions').values({ id: 's1', account_id: 'nobody' }).execute(),
    );
    expect(isUniqueViolation(missingParent)).toBe(false);
    const notNull = await errorOf(
      db.insertInto('accounts').values({ id: 'a3', email: null }).execute(),
    );
    expect(isUniqueViolation(notNull)).toBe(false);
    for (const other of [
      new Error('unique'),
      null,
      undefined,
      'SQLITE_CONSTRAINT_UNIQUE',
      { code: 23505 },
    ]) {
      expect(isUniqueViolation(other)).toBe(false);
    }
    expect(await countRows(db, 'accounts')).toBe(1);
    expect(await countRows(db, 'sessions')).toBe(0);
  });

  it('round-trips the portable column conventions with identical JS types', async () => {
    interface Settings {
      quality: '720p' | '1080p';
      subtitles: string[];
    }
    interface ColumnsDB {
      profiles: { id: string; settings: JsonText<Settings>; created_at: EpochMs; autoplay: number };
    }
    const env = backend.newEnv();
    const handle = await env.open<ColumnsDB>('stream');
    await handle.migrate([
      {
        id: '0001_profiles',
        async up(db) {
          await db.schema
            .createTable('profiles')
            .addColumn('id', 'text', (c) => c.primaryKey())
            .addColumn('settings', columnType.json, (c) => c.notNull())
            .addColumn('created_at', columnType.timestamp, (c) => c.notNull())
            .addColumn('autoplay', columnType.boolean, (c) => c.notNull())
            .execute();
        },
      },
    ]);
    // Far beyond 2^31, so an int4 column or a missing int8 parser would show up here.
    const createdAt = Date.UTC(2031, 6, 4, 12, 30, 15, 123);
    const settings: Settings = { quality: '1080p', subtitles: ['en', 'ko'] };
    await handle.db
      .insertInto('profiles')
      .values({ id: 'p1', settings: toJsonText(settings), created_at: createdAt, autoplay: 1 })
      .execute();

    const row = await handle.db.selectFrom('profiles').selectAll().executeTakeFirstOrThrow();
    expect(typeof row.settings).toBe('string');
    expect(fromJsonText(row.settings)).toEqual(settings);
    const schema = z.object({ quality: z.enum(['720p', '1080p']), subtitles: z.array(z.string()) });
    expect(fromJsonText(row.settings, schema)).toEqual(settings);
    expect(row.created_at).toBe(createdAt);
    expect(row.autoplay).toBe(1);

    // Range comparison on timestamps is plain numeric on both dialects.
    const later = await handle.db
      .selectFrom('profiles')
      .select('id')
      .where('created_at', '>', createdAt - 1)
      .execute();
    expect(later).toEqual([{ id: 'p1' }]);
    // count(*) is a number on both dialects, not a string on PostgreSQL.
    expect(await countRows(handle.db, 'profiles')).toBe(1);

    // A stored document that no longer matches the expected shape is caught by the validator.
    await handle.db
      .updateTable('profiles')
      .set({ settings: toJsonText({ quality: '4k' }) as unknown as JsonText<Settings> })
      .execute();
    const stale = await handle.db
      .selectFrom('profiles')
      .select('settings')
      .executeTakeFirstOrThrow();
    expect(() => fromJsonText(stale.settings, schema)).toThrow();
    expect(() => toJsonText(undefined)).toThrow(/not JSON-serialisable/);
  });

  it('orders timestamps by instant, whatever offset the ISO input was written with', async () => {
    const env = backend.newEnv();
    const handle = await env.open<{ events: { name: string; at: EpochMs } }>('worker');
    await handle.migrate([
      {
        id: '0001_events',
        async up(db) {
          await db.schema
            .createTable('events')
            .addColumn('name', 'text')
            .addColumn('at', columnType.timestamp, (c) => c.notNull())
            .execute();
        },
      },
    ]);
    // As text, '...T08:30:00+09:00' would sort after '...T00:00:00Z' although it is half an hour
    // earlier.
    await handle.db
      .insertInto('events')
      .values([
        { name: 'midnight-utc', at: toEpochMs('2024-01-01T00:00:00Z') },
        { name: 'seoul-0830', at: toEpochMs('2024-01-01T08:30:00+09:00') },
        { name: 'date-object', at: toEpochMs(new Date('2024-01-01T00:15:00.000Z')) },
      ])
      .execute();
    const rows = await handle.db
      .selectFrom('events')
      .select(['name', 'at'])
      .orderBy('at')
      .execute();
    expect(rows.map((r) => r.name)).toEqual(['seoul-0830', 'midnight-utc', 'date-object']);
    expect(rows.map((r) => toIsoString(r.at))).toEqual([
      '2023-12-31T23:30:00.000Z',
      '2024-01-01T00:00:00.000Z',
      '2024-01-01T00:15:00.000Z',
    ]);
    expect(() => toEpochMs('not a date')).toThrow(RangeError);
  });

  it(
    'applies each migration exactly once when two processes migrate at the same moment',
    { timeout: 60_000 },
    async () => {
      const env = backend.newEnv();
      const options = env.options('worker');
      const children = [startChild(options), startChild(options)];
      await Promise.all(children.map((c) => c.ready));
      for (const c of children) c.go();
      const results = await Promise.all(children.map((c) => c.done));

      const appliedEverywhere = results.flatMap((r) => r.applied).sort();
      expect(appliedEverywhere).toEqual(['0001_race_log', '0002_race_step']);

      const handle = await env.open('worker');
      expect((await recordedMigrations(handle.db)).map((r) => r.id)).toEqual([
        '0001_race_log',
        '0002_race_step',
      ]);
      const log = await handle.db
        .selectFrom('race_log')
        .select(['pid', 'step'])
        .orderBy('step')
        .execute();
      expect(log.map((r) => r.step)).toEqual(['0001', '0002']);
      // Every row was written by the process that reported applying that migration.
      const migrationOfStep: Record<string, string> = {
        '0001': '0001_race_log',
        '0002': '0002_race_step',
      };
      for (const entry of log) {
        const owner = results.find((r) => r.applied.includes(migrationOfStep[entry.step] ?? ''));
        expect(owner?.pid).toBe(entry.pid);
      }
    },
  );
}

// -------------------------------------------------------------------------------------------------
// Suites
// -------------------------------------------------------------------------------------------------

describe('block database on SQLite', () => {
  databaseContract(sqliteBackend);

  it('refuses a second handle on the same file in one process, and allows it after close', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'wsoptv-db-test-'));
    try {
      const first = await openBlockDatabase({ blockId: 'cache', dataDir });
      await expect(openBlockDatabase({ blockId: 'cache', dataDir })).rejects.toThrow(
        /already open in this process/,
      );
      await first.close();
      const second = await openBlockDatabase({ blockId: 'cache', dataDir, databaseUrl: '' });
      expect(second.dialect).toBe('sqlite');
      await second.close();
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('rejects block ids that are not safe identifiers', async () => {
    for (const blockId of ['', 'Auth', '../etc', 'a-b', '1auth', 'auth;drop']) {
      await expect(openBlockDatabase({ blockId, dataDir: os.tmpdir() })).rejects.toThrow(
        /Invalid blockId/,
      );
    }
  });
});

const inCI = process.env.CI === 'true';
const pgUnreachable = inCI ? null : await postgresUnreachableReason(PG_URL);
if (pgUnreachable !== null) {
  const bar = '!'.repeat(100);
  console.warn(
    `\n${bar}\n!!! PostgreSQL at ${PG_URL.replace(/\/\/[^@/]*@/, '//***@')} is unreachable (${pgUnreachable}).\n` +
      `!!! SKIPPING the PostgreSQL half of the database platform tests. Set CI=true to make this a failure.\n${bar}\n`,
  );
}
const describePostgres = pgUnreachable === null ? describe : describe.skip;

describePostgres('block database on PostgreSQL', () => {
  databaseContract(postgresBackend);

  describe('PostgreSQL specifics', () => {
    const runPrefix = `wsoptvtest_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}_pg`;
    const opts = (
      blockId: string,
      extra: Partial<OpenBlockDatabaseOptions> = {},
    ): OpenBlockDatabaseOptions => ({
      blockId,
      dataDir: '',
      databaseUrl: PG_URL,
      schemaPrefix: runPrefix,
      ...extra,
    });
    const open = trackingOpen(opts);
    afterAll(async () => {
      await dropPostgresSchemas(PG_URL, runPrefix);
    });

    it('applies each migration once when two handles in one process migrate concurrently', async () => {
      // Opening both at once also races the CREATE SCHEMA of a brand-new block.
      const [a, b] = await Promise.all([open('admin'), open('admin')]);
      let runs = 0;
      const migrations: Migration[] = [
        {
          id: '0001_audit',
          async up(db) {
            runs++;
            await db.schema.createTable('audit').addColumn('n', 'integer').execute();
            await sql`select pg_sleep(0.3)`.execute(db);
          },
        },
        {
          id: '0002_audit_row',
          async up(db) {
            runs++;
            await db.insertInto('audit').values({ n: 1 }).execute();
          },
        },
      ];
      const [ra, rb] = await Promise.all([a.migrate(migrations), b.migrate(migrations)]);
      expect([...ra.applied, ...rb.applied].sort()).toEqual(['0001_audit', '0002_audit_row']);
      expect(runs).toBe(2);
      expect(await countRows(a.db, 'audit')).toBe(1);
      expect((await recordedMigrations(b.db)).map((r) => r.id)).toEqual([
        '0001_audit',
        '0002_audit_row',
      ]);
    });

    it('keeps an options parameter already present in DATABASE_URL and still pins search_path', async () => {
      const url = new URL(PG_URL);
      url.searchParams.set('options', '-c statement_timeout=4321');
      const handle = await open('search');
      const custom = await openBlockDatabase(opts('search', { databaseUrl: url.toString() }));
      openHandles.push(custom);
      const { rows } = await sql<{
        timeout: string;
        schema: string;
      }>`select current_setting('statement_timeout') as timeout, current_schema() as schema`.execute(
        custom.db,
      );
      expect(rows[0]).toEqual({ timeout: '4321ms', schema: handle.location });
    });

    it('parses int8 to number and refuses values that would lose precision', async () => {
      const handle = await open('cache');
      const { rows } = await sql<{
        n: number;
      }>`select ${String(Number.MAX_SAFE_INTEGER)}::int8 as n`.execute(handle.db);
      expect(rows[0]?.n).toBe(Number.MAX_SAFE_INTEGER);
      await expect(sql`select 9007199254740993::int8 as n`.execute(handle.db)).rejects.toThrow(
        /safe integer range/,
      );
      // The pool is still usable after the refused row.
      expect((await sql<{ one: number }>`select 1 as one`.execute(handle.db)).rows).toEqual([
        { one: 1 },
      ]);
    });

    it('fails to open with a clear error when the server is unreachable', async () => {
      await expect(
        openBlockDatabase({
          blockId: 'auth',
          dataDir: '',
          databaseUrl: 'postgres://postgres@127.0.0.1:1/test',
          schemaPrefix: runPrefix,
        }),
      ).rejects.toThrow(/ECONNREFUSED|connect/);
    });

    it('drop helper refuses the production prefix', async () => {
      await expect(dropPostgresSchemas(PG_URL, 'wsoptv')).rejects.toThrow(/production prefix/);
    });
  });
});
