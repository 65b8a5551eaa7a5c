/**
 * A tiny HTTP file server with byte ranges, standing in for the stream block's signed media
 * URLs when a test stubs /api/stream/<id>/info. Counts requests so a test can see the player
 * fetch ranges.
 */
import { createReadStream, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface MediaServer {
  url: string;
  requests: number;
  close: () => Promise<void>;
}

/** name → a file to serve, or a fixed error answer (as the stream block would send it). */
export type MediaEntry = string | { status: number; body: unknown };

export async function startMediaServer(files: Record<string, MediaEntry>): Promise<MediaServer> {
  const state = { requests: 0 };
  const srv: Server = createServer((req, res) => {
    state.requests++;
    const name = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname.slice(1));
    const file = files[name];
    if (!file) {
      res
        .writeHead(404, { 'content-type': 'application/json', 'access-control-allow-origin': '*' })
        .end(
          JSON.stringify({
            error: { code: 'NOT_FOUND', message: 'no such file', correlation_id: 'media' },
          }),
        );
      return;
    }
    if (typeof file !== 'string') {
      res
        .writeHead(file.status, {
          'content-type': 'application/json',
          'retry-after': '5',
          'access-control-allow-origin': '*',
        })
        .end(JSON.stringify(file.body));
      return;
    }
    const size = statSync(file).size;
    const m = /^bytes=(\d*)-(\d*)$/.exec(req.headers.range ?? '');
    const headers = {
      'content-type': 'video/mp4',
      'accept-ranges': 'bytes',
      'access-control-allow-origin': '*',
    };
    if (!m) {
      res.writeHead(200, { ...headers, 'content-length': size });
      createReadStream(file).pipe(res);
      return;
    }
    let start = m[1] ? Number(m[1]) : size - Number(m[2]);
    let end = m[1] && m[2] ? Math.min(Number(m[2]), size - 1) : size - 1;
    if (!m[1]) end = size - 1;
    start = Math.max(0, start);
    if (start >= size || start > end) {
      res.writeHead(416, { ...headers, 'content-range': `bytes */${size}` }).end();
      return;
    }
    res.writeHead(206, {
      ...headers,
      'content-length': end - start + 1,
      'content-range': `bytes ${start}-${end}/${size}`,
    });
    createReadStream(file, { start, end }).pipe(res);
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const { port } = srv.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    get requests() {
      return state.requests;
    },
    close: () =>
      new Promise<void>((r) => {
        srv.closeAllConnections();
        srv.close(() => r());
      }),
  };
}
