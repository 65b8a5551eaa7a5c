/**
 * The pure rules under the deployment shapes: which block owns an /api path (checked against
 * every block's real routes), and how long the supervisor waits before restarting a child.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Backoff } from '../../src/deploy/backoff.ts';
import { RouteTable, literalPrefix } from '../../src/deploy/route-table.ts';
import { allBlocks } from '../../src/app/blocks.ts';
import { buildHost } from '../../src/app/host.ts';
import { loadConfig } from '../../src/app/config.ts';
import { memoryLogger } from '../support/logs.ts';

describe('restart backoff', () => {
  it('doubles from the initial delay up to the cap while the child keeps crashing', () => {
    const b = new Backoff({ initialMs: 250, maxMs: 10_000, resetAfterMs: 30_000 });
    const delays = Array.from({ length: 8 }, () => b.next(50));
    expect(delays).toEqual([250, 500, 1000, 2000, 4000, 8000, 10_000, 10_000]);
    expect(b.streak).toBe(8);
  });

  it('starts over after the child stayed up for resetAfterMs', () => {
    const b = new Backoff({ initialMs: 100, maxMs: 5000, resetAfterMs: 1000 });
    expect([b.next(10), b.next(10), b.next(10)]).toEqual([100, 200, 400]);
    expect(b.next(999)).toBe(800);
    expect(b.next(1000)).toBe(100);
    expect(b.next(5)).toBe(200);
  });

  it('refuses a cap below the initial delay', () => {
    expect(() => new Backoff({ initialMs: 500, maxMs: 100, resetAfterMs: 1 })).toThrow(/initialMs/);
  });
});

describe('route table', () => {
  const table = new RouteTable();
  for (const b of allBlocks) table.add(b.id, b.endpoints ?? []);

  it('matches the literal part before a parameter, and whole segments otherwise', () => {
    expect(literalPrefix('/api/stream/:contentId/info')).toEqual({
      prefix: '/api/stream/',
      open: true,
    });
    expect(literalPrefix('/api/home')).toEqual({ prefix: '/api/home', open: false });
    expect(table.match('/api/stream/abc')).toBe('stream');
    expect(table.match('/api/stream/abc/info')).toBe('stream');
    expect(table.match('/api/contents')).toBe('content');
    expect(table.match('/api/contents/42')).toBe('content');
    expect(table.match('/api/contentsx')).toBeUndefined();
    expect(table.match('/api/admin/users/7/approve')).toBe('admin');
    expect(table.match('/api/thumbnails/x.jpg')).toBe('worker');
    expect(table.match('/api/nothing')).toBeUndefined();
  });

  it("sends every route each block really serves to that block (the manifests' endpoints are complete)", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wsoptv-routes-'));
    const seen: string[] = [];
    try {
      for (const block of allBlocks) {
        const config = loadConfig({
          WSOPTV_DATA_DIR: join(dir, block.id),
          WSOPTV_LIBRARY_DIR: join(dir, 'library'),
          WSOPTV_SCAN_ON_START: 'false',
          WSOPTV_BLOCKS: block.id,
          LOG_LEVEL: 'silent',
        });
        const app = await buildHost(config, memoryLogger('warn').logger, allBlocks);
        try {
          const spec = app.http.swagger() as { paths?: Record<string, unknown> };
          const paths = Object.keys(spec.paths ?? {}).filter(
            (p) => p.startsWith('/api/') && p !== '/api/blocks',
          );
          seen.push(...paths);
          if (block.endpoints?.length)
            expect(paths.length, `${block.id} serves routes`).toBeGreaterThan(0);
          for (const p of paths)
            expect({ path: p, block: table.match(p.replace(/\{(\w+)\}/g, 'x')) }).toEqual({
              path: p,
              block: block.id,
            });
        } finally {
          await app.close();
        }
      }
      expect(seen).toEqual(
        expect.arrayContaining([
          '/api/stream/{contentId}',
          '/api/admin/users/{id}/approve',
          '/api/progress/{contentId}',
        ]),
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
