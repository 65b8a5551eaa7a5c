/**
 * HTTP Range (RFC 9110 §14) and the validators around it, as pure functions of header values
 * and the file's size/mtime. Decisions (see docs/blocks/03-stream.md):
 *  - unit names are case-insensitive; spaces/tabs around list elements and empty elements are
 *    tolerated; anything else that is not `first-last`, `first-` or `-suffix` makes the whole
 *    header invalid, and an invalid header is ignored (whole file, 200);
 *  - several ranges are answered with the whole file as 200 (RFC 9110 lets a server ignore
 *    Range), never multipart/byteranges: players never ask for them and they are a DoS vector;
 *  - a zero-length file is always sent whole (no byte range of it can be expressed).
 */

/** `range` holds inclusive byte positions, as in Content-Range. */
export type RangeDecision =
  | { type: 'whole' }
  | { type: 'partial'; range: { start: number; end: number } }
  | { type: 'unsatisfiable' };

const WHOLE: RangeDecision = { type: 'whole' };

/** What to send for `Range: <header>` on a representation of `size` bytes. */
export function evaluateRange(header: string | undefined, size: number): RangeDecision {
  const set = header === undefined ? undefined : /^bytes=(.*)$/is.exec(header)?.[1];
  const specs =
    set
      ?.split(',')
      .map((s) => s.replace(/^[ \t]+|[ \t]+$/g, ''))
      .filter((s) => s !== '') ?? [];
  // Several ranges are answered whole whatever they say, so only a single one is parsed.
  const m = specs.length === 1 && size > 0 ? /^(\d*)-(\d*)$/.exec(specs[0]) : null;
  if (!m || m[1] + m[2] === '') return WHOLE;
  const first = m[1] === '' ? undefined : Number(m[1]);
  const last = m[2] === '' ? undefined : Number(m[2]);
  if (first === undefined) {
    // suffix-range: the last `last` bytes; longer than the file means all of it; -0 is nothing.
    return last === 0
      ? { type: 'unsatisfiable' }
      : { type: 'partial', range: { start: Math.max(0, size - last!), end: size - 1 } };
  }
  if (last !== undefined && last < first) return WHOLE;
  if (first >= size) return { type: 'unsatisfiable' };
  return {
    type: 'partial',
    range: { start: first, end: last === undefined ? size - 1 : Math.min(last, size - 1) },
  };
}

/**
 * If-Range (RFC 9110 §13.1.5): true when Range may be honoured. An entity tag must match ours
 * by strong comparison (a weak tag never does); a date must be exactly our Last-Modified value.
 */
export function ifRangeHolds(
  value: string | undefined,
  etag: string,
  lastModified: string,
): boolean {
  if (value === undefined) return true;
  const v = value.trim();
  return v.startsWith('"') ? v === etag : !v.startsWith('W/') && v === lastModified;
}

/** If-None-Match (weak comparison, `*` matches), else If-Modified-Since: true → 304. */
export function notModified(
  ifNoneMatch: string | undefined,
  ifModifiedSince: string | undefined,
  etag: string,
  mtimeMs: number,
): boolean {
  if (ifNoneMatch !== undefined) {
    return (
      ifNoneMatch.trim() === '*' ||
      ifNoneMatch.split(',').some((t) => t.trim().replace(/^W\//, '') === etag)
    );
  }
  const since = ifModifiedSince === undefined ? NaN : Date.parse(ifModifiedSince);
  return !Number.isNaN(since) && Math.floor(mtimeMs / 1000) * 1000 <= since;
}

/**
 * A strong validator that changes when the file is replaced or rewritten: size, mtime (ns) and
 * inode.
 */
export function entityTag(size: number, mtimeNs: bigint, ino: bigint): string {
  return `"${size.toString(36)}-${mtimeNs.toString(36)}-${ino.toString(36)}"`;
}

/** Last-Modified in IMF-fixdate (`Tue, 15 Nov 1994 08:12:31 GMT`). */
export function httpDate(ms: number): string {
  return new Date(ms).toUTCString();
}
