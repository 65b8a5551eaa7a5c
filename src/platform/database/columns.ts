/**
 * Portable column conventions. Both dialects must hand the same JavaScript values to block code,
 * otherwise every block would grow `if (dialect === ...)` branches in its queries.
 *
 * Timestamps: epoch milliseconds (`Date.now()`) in a `bigint` column.
 *   - Native types do not round-trip the same way: PostgreSQL `timestamptz` comes back as a `Date`,
 *     SQLite has no date type and would give back whatever text or number was stored.
 *   - A number compares and does arithmetic identically everywhere (`expires_at < now`, `now +
 *     ttlMs`) with no time zone or string format to get wrong.
 *   - `bigint` is needed on PostgreSQL (ms values overflow `integer`); the platform's pool parses
 *     int8 to a JS number, so the value is a `number` on both dialects. SQLite maps the `bigint`
 *     type name to INTEGER.
 *   - Contracts between blocks carry ISO strings (`IsoDate`), which are deliberately loose. Storing
 *     those as text would make ordering depend on how the sender wrote them:
 *     "2024-01-01T09:00:00+09:00" and "2024-01-01T00:00:00Z" are the same instant yet sort
 *     differently. Converting with `toEpochMs` on the way in and `toIsoString` on the way out
 *     normalises at the block's edge, once.
 *   - Cost: raw rows are not human readable; use `to_timestamp(x / 1000.0)` (PostgreSQL) or
 *     `datetime(x / 1000, 'unixepoch')` (SQLite) when inspecting by hand.
 *
 * JSON: serialised text in a `text` column, written with `toJsonText` and read with `fromJsonText`.
 *   - PostgreSQL `jsonb` would come back already parsed while SQLite would return a string; storing
 *     text on both keeps the read path identical.
 *   - Cost: no indexing or querying inside the document. Anything a block filters or joins on
 *     belongs in its own column; JSON is for opaque payloads (settings, metadata blobs) that are
 *     read whole.
 *
 * Booleans: there is no portable boolean (SQLite has none, PostgreSQL returns true/false); use an
 * `integer` column holding 0/1.
 *
 * Aggregates: `count(*)` is a number on both (int8 parsing above). `sum`/`avg` return `numeric` on
 * PostgreSQL, which pg hands over as a string; cast in SQL (`cast(sum(x) as bigint)`) to get a
 * number.
 */
export const columnType = {
  timestamp: 'bigint',
  json: 'text',
  boolean: 'integer',
} as const;

/**
 * Milliseconds since the Unix epoch, UTC. See the module comment for why timestamps are stored this
 * way.
 */
export type EpochMs = number;

/**
 * Parses an ISO 8601 string (any offset) or a Date into epoch ms; throws on anything unparseable
 * rather than storing NaN.
 */
export function toEpochMs(value: string | Date): EpochMs {
  const ms = typeof value === 'string' ? Date.parse(value) : value.getTime();
  if (!Number.isFinite(ms)) {
    throw new RangeError(`Not a valid timestamp: ${String(value)}`);
  }
  return ms;
}

/** Epoch ms to the canonical UTC form used in contracts, e.g. `2024-01-01T00:00:00.000Z`. */
export function toIsoString(ms: EpochMs): string {
  return new Date(ms).toISOString();
}

declare const jsonBrand: unique symbol;

/**
 * A JSON column's value as stored: a string that remembers, at the type level only, what it
 * encodes. Declare the column as `JsonText<Settings>` in the block's Kysely `DB` interface; reads
 * then decode to `Settings` without a cast, and writes must go through `toJsonText` rather than an
 * arbitrary string.
 */
export type JsonText<T> = string & { readonly [jsonBrand]?: T };

export function toJsonText<T>(value: T): JsonText<T> {
  const text = JSON.stringify(value);
  // JSON.stringify returns undefined for undefined / functions; storing "undefined" would fail on
  // read.
  if (text === undefined) {
    throw new TypeError('Value is not JSON-serialisable');
  }
  return text;
}

/**
 * Parses a JSON column. Pass a validator (anything with `parse(unknown)`, e.g. a zod schema) when
 * the stored shape may have drifted from the current type, such as rows written by an older
 * release.
 */
export function fromJsonText<T>(text: JsonText<T>, validator?: { parse(value: unknown): T }): T {
  const value: unknown = JSON.parse(text);
  return validator ? validator.parse(value) : (value as T);
}
