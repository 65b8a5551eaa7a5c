/**
 * RFC 9110 over a real socket: every Range case, HEAD, If-Range, conditional GET, several
 * ranges, 416 and invalid syntax, checked on status, headers and the exact bytes of a real MP4.
 */
import { copyFileSync, renameSync, statSync, utimesSync } from 'node:fs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeWithFfmpeg } from '../../../../test/support/media.ts';
import { bearer, startStreamHost, type Reply, type StreamHost } from './helpers.ts';

describeWithFfmpeg('stream: HTTP Range over a socket', () => {
  let h: StreamHost;
  let size: number;
  const url = '/api/stream/movie';
  const get = (headers: Record<string, string> = {}, method = 'GET') =>
    h.get(url, { ...bearer('alice'), ...headers }, method);
  const expectWhole = (r: Reply) => {
    expect(r.status).toBe(200);
    expect(r.headers['content-range']).toBeUndefined();
    expect(r.headers['content-length']).toBe(String(size));
    expect(r.body.equals(h.movie)).toBe(true);
  };
  const expectPart = (r: Reply, start: number, end: number) => {
    expect(r.status, r.body.subarray(0, 200).toString()).toBe(206);
    expect(r.headers['content-range']).toBe(`bytes ${start}-${end}/${size}`);
    expect(r.headers['content-length']).toBe(String(end - start + 1));
    expect(r.headers['content-type']).toBe('video/mp4');
    expect(r.body.equals(h.movie.subarray(start, end + 1))).toBe(true);
  };
  const expect416 = (r: Reply) => {
    expect(r.status).toBe(416);
    expect(r.headers['content-range']).toBe(`bytes */${size}`);
    expect(JSON.parse(r.body.toString()).error.code).toBe('RANGE_NOT_SATISFIABLE');
  };

  beforeAll(async () => {
    h = await startStreamHost();
    // An mtime well in the past, with milliseconds, so Last-Modified is a stable validator.
    utimesSync(
      h.moviePath,
      new Date('2024-07-01T10:00:00.250Z'),
      new Date('2024-07-01T10:00:00.250Z'),
    );
    size = h.movie.length;
    expect(size).toBeGreaterThan(10_000);
  });
  afterAll(() => h?.close());

  it('GET without Range: the whole file with every validator', async () => {
    const r = await get();
    expectWhole(r);
    expect(r.headers['accept-ranges']).toBe('bytes');
    expect(r.headers['content-type']).toBe('video/mp4');
    expect(r.headers.etag).toMatch(/^"[^"]+"$/); // strong: no W/
    expect(r.headers['last-modified']).toBe('Mon, 01 Jul 2024 10:00:00 GMT');
  });

  it('the ETag follows the file: size, mtime and inode', async () => {
    const before = (await get()).headers.etag;
    const st = statSync(h.moviePath);
    utimesSync(h.moviePath, st.atime, new Date('2024-07-01T10:00:00.251Z'));
    const after = (await get()).headers.etag;
    utimesSync(h.moviePath, st.atime, new Date('2024-07-01T10:00:00.250Z'));
    expect(after).not.toBe(before);
    expect((await get()).headers.etag).toBe(before);
    // Replaced by another file of the same size and mtime: a new inode, a new ETag.
    const copy = `${h.moviePath}.new`;
    copyFileSync(h.moviePath, copy);
    utimesSync(copy, st.atime, new Date('2024-07-01T10:00:00.250Z'));
    renameSync(copy, h.moviePath);
    const replaced = (await get()).headers.etag;
    expect(replaced).not.toBe(before);
    expect((await get({ range: 'bytes=0-9', 'if-range': before! })).status).toBe(200);
  });

  it('bytes=a-b, bytes=a-, bytes=0-0 and the last byte', async () => {
    expectPart(await get({ range: 'bytes=0-99' }), 0, 99);
    expectPart(await get({ range: 'bytes=1000-1999' }), 1000, 1999);
    expectPart(await get({ range: 'bytes=0-0' }), 0, 0);
    expectPart(await get({ range: `bytes=${size - 1}-${size - 1}` }), size - 1, size - 1);
    expectPart(await get({ range: 'bytes=5000-' }), 5000, size - 1);
    expectPart(await get({ range: 'bytes=0-' }), 0, size - 1);
  });

  it("Safari's bytes=0-1 probe", async () => {
    const r = await get({ range: 'bytes=0-1' });
    expectPart(r, 0, 1);
    expect(r.headers['accept-ranges']).toBe('bytes');
  });

  it('suffix ranges; a suffix longer than the file is the whole file as 206', async () => {
    expectPart(await get({ range: 'bytes=-500' }), size - 500, size - 1);
    expectPart(await get({ range: 'bytes=-1' }), size - 1, size - 1);
    expectPart(await get({ range: `bytes=-${size}` }), 0, size - 1);
    expectPart(await get({ range: `bytes=-${size + 1000}` }), 0, size - 1);
  });

  it('a last position past the end is clamped', async () => {
    expectPart(await get({ range: `bytes=100-${size + 5000}` }), 100, size - 1);
    expectPart(await get({ range: 'bytes=0-99999999999999999999' }), 0, size - 1);
  });

  it('416 with Content-Range: bytes */size for unsatisfiable ranges', async () => {
    expect416(await get({ range: 'bytes=-0' }));
    expect416(await get({ range: `bytes=${size}-` }));
    expect416(await get({ range: `bytes=${size}-${size + 10}` }));
    expect416(await get({ range: `bytes=${size + 100}-` }));
  });

  it('syntactically invalid Range is ignored: 200 with the whole file', async () => {
    for (const range of [
      'bytes=abc',
      'bytes=10-5',
      'bytes=-',
      'bytes=',
      'items=0-1',
      'bytes 0-1',
      'bytes=1-2-3',
      'bytes=--5',
    ]) {
      expectWhole(await get({ range }));
    }
  });

  it('several ranges: the whole file as 200 (documented choice)', async () => {
    expectWhole(await get({ range: 'bytes=0-1,5-6' }));
    expectWhole(await get({ range: 'bytes=0-99, -100' }));
    expectWhole(await get({ range: `bytes=${size}-,${size + 5}-` }));
  });

  it('HEAD answers the headers of a GET without a body, and ignores Range', async () => {
    const full = await get();
    for (const headers of [{}, { range: 'bytes=0-99' }, { range: 'bytes=-0' }] as Array<
      Record<string, string>
    >) {
      const r = await get(headers, 'HEAD');
      expect(r.status).toBe(200);
      expect(r.body.length).toBe(0);
      expect(r.headers['content-length']).toBe(String(size));
      expect(r.headers['content-range']).toBeUndefined();
      for (const k of ['accept-ranges', 'etag', 'last-modified', 'content-type'])
        expect(r.headers[k], k).toBe(full.headers[k]);
    }
  });

  it('If-Range with the current strong ETag → 206; weak, other or stale → 200 whole', async () => {
    const { etag, 'last-modified': lm } = (await get()).headers as Record<string, string>;
    expectPart(await get({ range: 'bytes=10-19', 'if-range': etag }), 10, 19);
    expectWhole(await get({ range: 'bytes=10-19', 'if-range': `W/${etag}` }));
    expectWhole(await get({ range: 'bytes=10-19', 'if-range': '"something-else"' }));
    expectPart(await get({ range: 'bytes=10-19', 'if-range': lm }), 10, 19);
    expectWhole(await get({ range: 'bytes=10-19', 'if-range': 'Mon, 01 Jul 2024 10:00:01 GMT' }));
    expectWhole(await get({ range: 'bytes=10-19', 'if-range': 'Mon, 01 Jul 2024 09:59:59 GMT' }));
    expectWhole(await get({ range: 'bytes=10-19', 'if-range': 'not a date' }));
    // A failed If-Range also overrides an unsatisfiable range: the whole file, not 416.
    expectWhole(await get({ range: 'bytes=-0', 'if-range': '"old"' }));
  });

  it('If-None-Match / If-Modified-Since → 304 without a body', async () => {
    const { etag, 'last-modified': lm } = (await get()).headers as Record<string, string>;
    for (const headers of [
      { 'if-none-match': etag },
      { 'if-none-match': `W/${etag}` },
      { 'if-none-match': `"x", ${etag}` },
      { 'if-modified-since': lm },
    ] as Array<Record<string, string>>) {
      const r = await get(headers);
      expect(r.status).toBe(304);
      expect(r.body.length).toBe(0);
      expect(r.headers.etag).toBe(etag);
    }
    expectWhole(await get({ 'if-none-match': '"x"' }));
    expectWhole(await get({ 'if-modified-since': 'Mon, 01 Jul 2024 09:59:59 GMT' }));
  });

  it('many reads of one file by one viewer are one playback session with one slot', async () => {
    expect(h.cache.callsOf('acquire_stream_slot')).toHaveLength(1);
    expect(h.events.stream_started).toHaveLength(1);
    expect(h.cache.callsOf('touch_stream_slot').length).toBeGreaterThan(30);
    expect(h.cache.slots.size).toBe(1);
  });
});
