/**
 * Requests the HTTP parser refuses before any route runs (oversized headers, a broken request
 * line): the platform answers in its JSON error shape with `Connection: close`, so a keep-alive
 * client (such as the gateway's proxy) never reuses the connection the server is closing.
 */
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { createHttpServer } from '../../src/platform/http.ts';
import { memoryLogger } from '../support/logs.ts';

function raw(port: number, bytes: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let data = '';
    const sock = net.connect(port, '127.0.0.1', () => sock.write(bytes));
    sock.on('data', (c) => (data += c.toString('latin1')));
    sock.on('close', () => resolve(data));
    sock.on('error', reject);
  });
}

describe('HTTP parser errors', () => {
  let app: FastifyInstance;
  let port: number;
  beforeAll(async () => {
    app = await createHttpServer({ logger: memoryLogger().logger });
    app.get('/ok', async () => ({ ok: true }));
    await app.listen({ port: 0, host: '127.0.0.1' });
    port = (app.server.address() as net.AddressInfo).port;
  });
  afterAll(() => app.close());

  it('answers oversized headers with 431, the error shape and Connection: close', async () => {
    const answer = await raw(
      port,
      `GET /ok HTTP/1.1\r\nHost: x\r\nX-Junk: ${'a'.repeat(20_000)}\r\n\r\n`,
    );
    const [head, body] = answer.split('\r\n\r\n');
    expect(head).toMatch(/^HTTP\/1\.1 431 /);
    expect(head).toMatch(/\r\nConnection: close(\r\n|$)/i);
    expect(JSON.parse(body).error).toMatchObject({ code: 'HEADERS_TOO_LARGE' });
  });

  it('answers a broken request line with 400 BAD_REQUEST and Connection: close', async () => {
    const answer = await raw(port, 'BLAH\r\n\r\n');
    const [head, body] = answer.split('\r\n\r\n');
    expect(head).toMatch(/^HTTP\/1\.1 400 /);
    expect(head).toMatch(/\r\nConnection: close(\r\n|$)/i);
    expect(JSON.parse(body).error).toMatchObject({ code: 'BAD_REQUEST' });
  });

  it('still serves well-formed requests on the same server', async () => {
    const answer = await raw(port, 'GET /ok HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    expect(answer).toMatch(/^HTTP\/1\.1 200 /);
  });
});
