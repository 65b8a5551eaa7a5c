/** The pure RFC 9110 range logic: parsing, satisfiability, If-Range, 304 validators. */
import { describe, expect, it } from 'vitest';
import { entityTag, evaluateRange, httpDate, ifRangeHolds, notModified } from '../range.ts';

const whole = { type: 'whole' };
const none = { type: 'unsatisfiable' };
const part = (start: number, end: number) => ({ type: 'partial', range: { start, end } });

describe('evaluateRange on a 1000-byte file', () => {
  const cases: Array<[string | undefined, object]> = [
    [undefined, whole],
    ['bytes=0-99', part(0, 99)],
    ['bytes=0-0', part(0, 0)],
    ['bytes=999-999', part(999, 999)],
    ['bytes=500-', part(500, 999)],
    ['bytes=999-', part(999, 999)],
    ['bytes=0-', part(0, 999)],
    ['bytes=-1', part(999, 999)],
    ['bytes=-500', part(500, 999)],
    ['bytes=-1000', part(0, 999)],
    // A suffix longer than the file is the whole file, as a 206 (not 416 as `send` does).
    ['bytes=-5000', part(0, 999)],
    ['bytes=-99999999999999999999999', part(0, 999)],
    // last-pos past the end is clamped.
    ['bytes=0-1000', part(0, 999)],
    ['bytes=900-5000', part(900, 999)],
    ['bytes=10-99999999999999999999999', part(10, 999)],
    ['bytes=007-010', part(7, 10)],
    // Unsatisfiable: zero-length suffix, start at or past the end.
    ['bytes=-0', none],
    ['bytes=-000', none],
    ['bytes=1000-', none],
    ['bytes=1000-1000', none],
    ['bytes=1000-2000', none],
    ['bytes=99999999999999999999-', none],
    // Unit names are case-insensitive; OWS and empty list elements are tolerated.
    ['BYTES=1-2', part(1, 2)],
    ['Bytes=1-2', part(1, 2)],
    ['bytes= 1-2', part(1, 2)],
    ['bytes=1-2 ', part(1, 2)],
    ['bytes=1-2,', part(1, 2)],
    ['bytes=,1-2', part(1, 2)],
    ['bytes=, ,\t1-2 , ', part(1, 2)],
    // Syntactically invalid → ignored (whole file).
    ['bytes=abc', whole],
    ['bytes=5-1', whole],
    ['bytes=-', whole],
    ['bytes=', whole],
    ['bytes=,', whole],
    ['bytes', whole],
    ['=0-1', whole],
    ['bytes 0-1', whole],
    ['bytes =0-1', whole],
    ['bytes=0 - 1', whole],
    ['bytes=--1', whole],
    ['bytes=1-2-3', whole],
    ['bytes=+1-2', whole],
    ['bytes=1.5-2', whole],
    ['bytes=0x10-0x20', whole],
    ['bytes=1-2;3-4', whole],
    ['items=0-1', whole],
    ['bytes=0-1,abc', whole],
    ['', whole],
    // Several ranges → the whole file (documented choice), even when some are unsatisfiable.
    ['bytes=0-1,5-6', whole],
    ['bytes=0-1, -5', whole],
    ['bytes=0-499,500-999', whole],
    ['bytes=2000-3000,4000-5000', whole],
  ];
  for (const [header, expected] of cases) {
    it(`${JSON.stringify(header)} → ${JSON.stringify(expected)}`, () => {
      expect(evaluateRange(header, 1000)).toEqual(expected);
    });
  }
});

describe('evaluateRange edge sizes', () => {
  it('a 1-byte file', () => {
    expect(evaluateRange('bytes=0-0', 1)).toEqual(part(0, 0));
    expect(evaluateRange('bytes=0-', 1)).toEqual(part(0, 0));
    expect(evaluateRange('bytes=-1', 1)).toEqual(part(0, 0));
    expect(evaluateRange('bytes=-2', 1)).toEqual(part(0, 0));
    expect(evaluateRange('bytes=1-', 1)).toEqual(none);
  });
  it('an empty file is always sent whole', () => {
    for (const h of ['bytes=0-0', 'bytes=-1', 'bytes=0-', 'bytes=-0', 'bytes=5-'])
      expect(evaluateRange(h, 0)).toEqual(whole);
  });
  it('files above 4 GiB keep exact positions', () => {
    const size = 18 * 1024 ** 3 + 7;
    expect(evaluateRange(`bytes=${size - 10}-`, size)).toEqual(part(size - 10, size - 1));
    expect(evaluateRange('bytes=-10', size)).toEqual(part(size - 10, size - 1));
  });
});

describe('If-Range', () => {
  const etag = entityTag(1000, 1_700_000_000_123_000_000n, 42n);
  const lm = httpDate(1_700_000_000_123);
  it('absent: Range applies', () => expect(ifRangeHolds(undefined, etag, lm)).toBe(true));
  it('the current strong ETag: Range applies', () =>
    expect(ifRangeHolds(etag, etag, lm)).toBe(true));
  it('the ETag with surrounding spaces still matches', () =>
    expect(ifRangeHolds(` ${etag} `, etag, lm)).toBe(true));
  it('a weak ETag never matches (strong comparison)', () =>
    expect(ifRangeHolds(`W/${etag}`, etag, lm)).toBe(false));
  it('another ETag does not match', () => expect(ifRangeHolds('"other"', etag, lm)).toBe(false));
  it('a list is not a valid If-Range', () =>
    expect(ifRangeHolds(`${etag}, "x"`, etag, lm)).toBe(false));
  it('exactly Last-Modified: Range applies', () => expect(ifRangeHolds(lm, etag, lm)).toBe(true));
  it('a later or earlier date does not', () => {
    expect(ifRangeHolds(httpDate(1_700_000_001_123), etag, lm)).toBe(false);
    expect(ifRangeHolds(httpDate(1_699_999_999_000), etag, lm)).toBe(false);
  });
  it('garbage does not', () => expect(ifRangeHolds('yesterday', etag, lm)).toBe(false));
});

describe('validators', () => {
  it('the ETag is strong, quoted and changes with size, mtime (to the nanosecond) and inode', () => {
    const a = entityTag(1000, 1_700_000_000_123_000_000n, 42n);
    expect(a).toMatch(/^"[0-9a-z-]+"$/);
    expect(
      new Set([
        a,
        entityTag(1001, 1_700_000_000_123_000_000n, 42n),
        entityTag(1000, 1_700_000_000_123_000_001n, 42n),
        entityTag(1000, 1_700_000_000_123_000_000n, 43n),
      ]).size,
    ).toBe(4);
  });
  it('Last-Modified is an IMF-fixdate', () =>
    expect(httpDate(784887151000)).toBe('Tue, 15 Nov 1994 08:12:31 GMT'));
  it('If-None-Match: weak comparison, lists and *', () => {
    const e = '"abc"';
    expect(notModified('"abc"', undefined, e, 0)).toBe(true);
    expect(notModified('W/"abc"', undefined, e, 0)).toBe(true);
    expect(notModified('"x", "abc"', undefined, e, 0)).toBe(true);
    expect(notModified('*', undefined, e, 0)).toBe(true);
    expect(notModified('"x"', undefined, e, 0)).toBe(false);
  });
  it('If-Modified-Since only without If-None-Match, at one-second resolution', () => {
    const mtime = 1_700_000_000_900;
    expect(notModified(undefined, httpDate(mtime), '"e"', mtime)).toBe(true);
    expect(notModified(undefined, httpDate(mtime - 1000), '"e"', mtime)).toBe(false);
    expect(notModified(undefined, 'garbage', '"e"', mtime)).toBe(false);
    expect(notModified('"other"', httpDate(mtime), '"e"', mtime)).toBe(false);
  });
});
