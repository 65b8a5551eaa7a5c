import path from 'node:path';

/**
 * Schema prefix used in production. `dropPostgresSchemas` refuses it so a test helper can never
 * wipe real data.
 */
export const DEFAULT_SCHEMA_PREFIX = 'wsoptv';

// Block ids and prefixes become file names and unquoted SQL identifiers (the schema name also goes
// into a `-c search_path=...` startup option), so only a conservative identifier shape is accepted.
// That makes quoting concerns disappear instead of having to get quoting right in three different
// places.
const IDENTIFIER = /^[a-z][a-z0-9_]*$/;

// PostgreSQL silently truncates identifiers longer than this, which could make two schemas collide.
const MAX_PG_IDENTIFIER_LENGTH = 63;

export function assertIdentifier(kind: 'blockId' | 'schemaPrefix', value: string): void {
  if (!IDENTIFIER.test(value)) {
    throw new Error(
      `Invalid ${kind} ${JSON.stringify(value)}: use lowercase letters, digits and "_", starting with a letter`,
    );
  }
}

/** PostgreSQL schema that holds a block's tables: `<prefix>_<blockId>`, e.g. `wsoptv_auth`. */
export function blockSchemaName(
  blockId: string,
  schemaPrefix: string = DEFAULT_SCHEMA_PREFIX,
): string {
  assertIdentifier('blockId', blockId);
  assertIdentifier('schemaPrefix', schemaPrefix);
  const name = `${schemaPrefix}_${blockId}`;
  if (name.length > MAX_PG_IDENTIFIER_LENGTH) {
    throw new Error(`Schema name ${name} is longer than ${MAX_PG_IDENTIFIER_LENGTH} characters`);
  }
  return name;
}

/** Absolute path of a block's SQLite file: `<dataDir>/db/<blockId>.sqlite`. */
export function blockSqliteFile(dataDir: string, blockId: string): string {
  assertIdentifier('blockId', blockId);
  return path.resolve(dataDir, 'db', `${blockId}.sqlite`);
}
