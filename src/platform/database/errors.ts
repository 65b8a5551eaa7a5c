import { errorMessage } from '../errors.ts';
/**
 * A migration's `up` threw. Its transaction was rolled back; migrations before it in the same call
 * stay applied.
 */
export class MigrationError extends Error {
  override readonly name = 'MigrationError';
  constructor(
    readonly blockId: string,
    readonly migrationId: string,
    cause: unknown,
  ) {
    super(`Migration ${migrationId} of block ${blockId} failed: ${errorMessage(cause)}`, { cause });
  }
}

// better-sqlite3 reports SQLite's extended result code by name. A duplicate primary key has its own
// code, while PostgreSQL reports both cases as 23505; both are accepted so "insert, catch
// duplicate" code behaves the same on either dialect.
const SQLITE_UNIQUE_CODES = new Set(['SQLITE_CONSTRAINT_UNIQUE', 'SQLITE_CONSTRAINT_PRIMARYKEY']);
const PG_UNIQUE_VIOLATION = '23505';

/**
 * True when `err` (or an error in its `cause` chain, e.g. a wrapped one) is a unique / primary key
 * violation on either dialect. Lets blocks implement "create if absent" without parsing messages.
 */
export function isUniqueViolation(err: unknown): boolean {
  let current: unknown = err;
  // Bounded walk: a cause chain is short in practice, and a cycle must not hang the caller.
  for (let depth = 0; depth < 5 && typeof current === 'object' && current !== null; depth++) {
    const code = (current as { code?: unknown }).code;
    if (
      code === PG_UNIQUE_VIOLATION ||
      (typeof code === 'string' && SQLITE_UNIQUE_CODES.has(code))
    ) {
      return true;
    }
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}
