/**
 * Runs a block's persistence tests on both databases: SQLite in a fresh data directory and the
 * real PostgreSQL (TEST_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/test) under a
 * schema prefix of its own, dropped afterwards. With CI=true PostgreSQL must be reachable (the
 * suite fails otherwise); elsewhere it is skipped with a loud warning.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe } from 'vitest';
import { dropPostgresSchemas } from '../../src/platform/database/index.ts';

export const postgresUrl =
  process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const isCI = process.env.CI === 'true';

async function postgresAnswers(): Promise<boolean> {
  const client = new pg.Client({ connectionString: postgresUrl, connectionTimeoutMillis: 1500 });
  try {
    await client.connect();
    await client.query('select 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

const postgresUp = await postgresAnswers();

export interface DatabaseTarget {
  name: 'sqlite' | 'postgres';
  /**
   * Environment for loadConfig(): a fresh data directory, and DATABASE_URL + schema prefix on
   * PostgreSQL.
   */
  env(): Record<string, string>;
}

/**
 * `describe` once per database. `fn` gets the target; call `target.env()` (in beforeAll or a
 * test) for a fresh, isolated place to keep data.
 */
export function describeEachDatabase(name: string, fn: (target: DatabaseTarget) => void): void {
  describe(`${name} [sqlite]`, () =>
    fn({
      name: 'sqlite',
      env: () => ({ WSOPTV_DATA_DIR: mkdtempSync(join(tmpdir(), 'wsoptv-db-')) }),
    }));
  const prefixes: string[] = [];
  const pgTarget: DatabaseTarget = {
    name: 'postgres',
    env: () => {
      const prefix = `t${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
      prefixes.push(prefix);
      return {
        WSOPTV_DATA_DIR: mkdtempSync(join(tmpdir(), 'wsoptv-db-')),
        DATABASE_URL: postgresUrl,
        WSOPTV_DB_SCHEMA_PREFIX: prefix,
      };
    },
  };
  if (postgresUp) {
    describe(`${name} [postgres]`, () => {
      afterAll(async () => {
        for (const p of prefixes.splice(0)) await dropPostgresSchemas(postgresUrl, p);
      });
      fn(pgTarget);
    });
  } else if (isCI) {
    describe(`${name} [postgres]`, () => {
      beforeAll(() => {
        throw new Error(
          `PostgreSQL at ${postgresUrl} is unreachable and CI=true: these tests must run.`,
        );
      });
      fn(pgTarget);
    });
  } else {
    console.warn(
      `\n⚠ PostgreSQL at ${postgresUrl} is unreachable: SKIPPING "${name}" on PostgreSQL\n`,
    );
    describe.skip(`${name} [postgres]`, () => fn(pgTarget));
  }
}
