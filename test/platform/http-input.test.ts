/**
 * Input rules every route gets from the platform's HTTP server: a NUL character in the address
 * or anywhere in a JSON body is refused with 400 INVALID_CHARACTERS before any block sees it
 * (PostgreSQL refuses NUL in text, so it would otherwise surface as a 500 deep in a block), bad
 * JSON is 400 INVALID_JSON, and prototype poisoning is still refused by the stock parser.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { createHttpServer } from '../../src/platform/http.ts';
import { Id } from '../../src/orchestration/contracts/common.ts';
import { memoryLogger } from '../support/logs.ts';

describe('platform HTTP input rules', () => {
  let app: FastifyInstance;
  const seen: unknown[] = [];
  beforeAll(async () => {
    app = await createHttpServer({ logger: memoryLogger().logger });
    app.get('/items/:id', async (req) => ({ id: (req.params as { id: string }).id }));
    app.post('/items', async (req) => {
      seen.push(req.body);
      return { ok: true };
    });
    await app.ready();
  });
  afterAll(() => app.close());

  const post = (payload: string) =>
    app.inject({
      method: 'POST',
      url: '/items',
      headers: { 'content-type': 'application/json' },
      payload,
    });

  it('refuses a NUL in the path or the query with 400 INVALID_CHARACTERS', async () => {
    for (const url of ['/items/ab%00cd', '/items/x?q=a%00b', '/items/%00']) {
      const res = await app.inject({ method: 'GET', url });
      expect(res.statusCode, url).toBe(400);
      expect(res.json().error.code).toBe('INVALID_CHARACTERS');
    }
    expect((await app.inject({ method: 'GET', url: '/items/ab%20cd' })).json()).toEqual({
      id: 'ab cd',
    });
  });

  it('refuses a NUL in any string or key of a JSON body, however deep, and accepts the text "\\u0000" itself', async () => {
    const before = seen.length;
    for (const body of [
      '{"title":"a\\u0000b"}',
      '{"list":[{"deep":["x","\\u0000"]}]}',
      '{"k\\u0000":1}',
    ]) {
      const res = await post(body);
      expect(res.statusCode, body).toBe(400);
      expect(res.json().error).toMatchObject({ code: 'INVALID_CHARACTERS' });
    }
    expect(seen.length).toBe(before); // no handler ran
    // a backslash followed by u0000: just text
    const literal = await post('{"title":"a\\\\u0000b"}');
    expect(literal.statusCode).toBe(200);
    expect(seen.at(-1)).toEqual({ title: 'a\\u0000b' });
  });

  it('keeps the stock parser: bad JSON is INVALID_JSON, a __proto__ key is refused', async () => {
    const bad = await post('{"title": ');
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.code).toBe('INVALID_JSON');
    const poisoned = await post('{"__proto__":{"admin":true}}');
    expect(poisoned.statusCode).toBe(400);
    expect(({} as Record<string, unknown>).admin).toBeUndefined();
  });

  it('ids in contracts refuse control characters', () => {
    expect(Id.safeParse('abc-123').success).toBe(true);
    for (const bad of ['a\u0000b', 'a\nb', '\u007f'])
      expect(Id.safeParse(bad).success, JSON.stringify(bad)).toBe(false);
  });
});
