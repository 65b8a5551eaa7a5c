/**
 * The search block through the orchestrator (`buildHost`), with content replaced by a mock built
 * from content:v1: the rebuild at start-up (every page), index sync from content events, a
 * start-up with content down (degraded, then recovery on its own), the database answer while
 * the first build runs, changes during a rebuild, reindex_all, stats, and bad input.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { BlockError, contentV1, mockBlock, type Content } from '../../../orchestration/index.ts';
import { loadConfig } from '../../../app/config.ts';
import { buildHost, type App } from '../../../app/host.ts';
import { memoryLogger } from '../../../../test/support/logs.ts';
import { waitFor } from '../../../../test/support/wait.ts';
import searchBlock from '../index.ts';

const item = (n: number, over: Partial<Content> = {}): Content => ({
  id: `c${n}`,
  title: `Episode ${n}`,
  description: `Hand number ${n}`,
  catalog: n % 2 ? 'WSOP' : 'HCL',
  duration_seconds: 600 + n,
  file_size: null,
  media_path: `WSOP/ep-${n}.mp4`,
  thumbnail_url: null,
  added_at: '2024-06-01T12:00:00.000Z',
  metadata: {},
  ...over,
});
const summary = (c: Content) => ({
  content_id: c.id,
  title: c.title,
  description: c.description,
  catalog: c.catalog,
  duration_seconds: c.duration_seconds,
  thumbnail_url: c.thumbnail_url,
  added_at: c.added_at,
});

/**
 * A content mock over a mutable list; `down` makes it fail like a dead block, `gate` holds
 * list_contents.
 */
function fakeContent(items: Content[]) {
  const state = { items, down: false, gate: null as Promise<void> | null };
  const unavailable = () =>
    new BlockError('BLOCK_UNAVAILABLE', 'content is down (test)', { retryable: true });
  const mock = mockBlock(
    'content:v1',
    {
      list_contents: async ({ limit, offset }) => {
        if (state.down) throw unavailable();
        if (state.gate) await state.gate;
        return {
          items: state.items.slice(offset, offset + limit),
          total: state.items.length,
          limit,
          offset,
        };
      },
      find_by_text: ({ query }) => {
        if (state.down) throw unavailable();
        const results = state.items
          .filter((c) => c.title.toLowerCase().includes(query.toLowerCase()))
          .map((content) => ({ content, score: 0.7 }));
        return { results, total: results.length };
      },
    },
    Object.keys(contentV1.actions),
  );
  return { state, mock };
}

describe('search block', () => {
  let app: App | undefined;
  afterEach(async () => {
    await app?.close();
    app = undefined;
  });

  async function host(content: ReturnType<typeof fakeContent>) {
    const config = loadConfig({
      WSOPTV_DATA_DIR: mkdtempSync(join(tmpdir(), 'wsoptv-search-')),
      WSOPTV_HEALTH_INTERVAL_MS: '50',
      WSOPTV_SEARCH_RETRY_MS: '50',
      WSOPTV_BREAKER_HALF_OPEN_MS: '50',
    });
    app = await buildHost(config, memoryLogger().logger, [searchBlock, content.mock.manifest]);
    return app;
  }
  const client = () => app!.orchestrator.client('gateway');
  const search = (q: string, over: { page?: number; limit?: number; catalog?: string } = {}) =>
    client().request('search:v1', 'search', { q, ...over });
  const stats = () => client().request('search:v1', 'get_search_stats', {});
  const status = () => app!.orchestrator.localBlocks().find((b) => b.info.id === 'search')!.info;
  const ready = () =>
    waitFor(async () => (await stats()).ready && status().status === 'healthy', 5000, {
      message: 'search index built and block healthy',
    });

  it('rebuilds the index from list_contents at start-up, reading every page', async () => {
    const content = fakeContent(Array.from({ length: 250 }, (_, i) => item(i + 1)));
    await host(content);
    await ready();
    expect(content.mock.callsOf('list_contents')).toEqual([
      { limit: 100, offset: 0 },
      { limit: 100, offset: 100 },
      { limit: 100, offset: 200 },
    ]);
    const s = await stats();
    expect(s).toMatchObject({
      engine: 'minisearch',
      documents: 250,
      ready: true,
      rebuilding: false,
      last_error: null,
    });
    expect(Date.parse(s.last_reindex_at!)).toBeGreaterThan(Date.now() - 60_000);
    const found = await search('episode 237');
    expect(found).toMatchObject({
      total: 1,
      page: 1,
      pages: 1,
      query: 'episode 237',
      engine: 'minisearch',
    });
    expect(found.results[0]).toMatchObject({
      content_id: 'c237',
      title: 'Episode 237',
      catalog: 'WSOP',
      duration_seconds: 837,
      score: 1,
    });
  });

  it('follows content_added, content_updated and content_deleted events', async () => {
    await host(fakeContent([item(1)]));
    await ready();
    const events = app!.orchestrator.client('content');
    const added = item(2, { title: 'Negreanu Heads-Up' });
    await events.publish('content_added', summary(added));
    await waitFor(async () => (await search('negreanu')).total === 1, 2000, {
      message: 'added item searchable',
    });
    await events.publish('content_updated', summary({ ...added, title: 'Hellmuth Heads-Up' }));
    await waitFor(async () => (await search('hellmuth')).total === 1, 2000, {
      message: 'updated title searchable',
    });
    expect((await search('negreanu')).total).toBe(0);
    await events.publish('content_deleted', { content_id: added.id, media_path: added.media_path });
    await waitFor(async () => (await search('hellmuth')).total === 0, 2000, {
      message: 'deleted item gone',
    });
    expect((await stats()).documents).toBe(1);
  });

  it('starts with content down: empty index, degraded with a reason, recovers on its own', async () => {
    const content = fakeContent([item(1, { title: 'Main Event Day 1' })]);
    content.state.down = true;
    await host(content);
    // The reason is content's error, or the open breaker once content has failed five times.
    const why = /index not built yet \(.*(content is down|circuit to block "content" is open)/;
    await waitFor(
      () => status().status === 'degraded' && why.test(status().status_reason ?? ''),
      3000,
      { message: 'degraded with the reason' },
    );
    expect(await search('main event')).toMatchObject({
      total: 0,
      results: [],
      engine: 'minisearch',
    }); // no database either
    expect(await stats()).toMatchObject({
      ready: false,
      documents: 0,
      last_error: expect.stringMatching(/content is down|circuit/),
    });
    content.state.down = false;
    await ready();
    expect((await search('main event')).total).toBe(1);
    // failed, then retried
    expect(content.mock.callsOf('list_contents').length).toBeGreaterThanOrEqual(2);
  });

  it("answers from content's LIKE search until the first build is done", async () => {
    const content = fakeContent([item(1, { title: 'Main Event Day 1' })]);
    let open!: () => void;
    content.state.gate = new Promise((resolve) => (open = resolve));
    await host(content);
    expect(await search('main event')).toMatchObject({
      total: 1,
      engine: 'database',
      results: [{ content_id: 'c1', score: 0.7 }],
    });
    await waitFor(
      () =>
        status().status === 'degraded' &&
        status().status_reason === 'index being built from content:v1',
      2000,
      { message: 'degraded while building' },
    );
    open();
    await ready();
    expect(await search('main evnet')).toMatchObject({ total: 1, engine: 'minisearch' });
  });

  it('keeps changes that happen while a rebuild runs', async () => {
    const content = fakeContent([item(1), item(2, { title: 'Doomed Episode' })]);
    let open!: () => void;
    content.state.gate = new Promise((resolve) => (open = resolve));
    await host(content);
    await waitFor(() => content.mock.callsOf('list_contents').length > 0, 2000);
    const events = app!.orchestrator.client('content');
    // not in the list being read
    await events.publish('content_added', summary(item(3, { title: 'Brand New Episode' })));
    // in the list being read
    await events.publish('content_deleted', { content_id: 'c2', media_path: 'x' });
    await new Promise((r) => setTimeout(r, 20));
    open();
    await ready();
    expect((await search('brand new')).total).toBe(1);
    expect((await search('doomed')).total).toBe(0);
  });

  it('reindex_all rebuilds on request; concurrent calls share one rebuild; a failure keeps the index', async () => {
    const content = fakeContent([item(1)]);
    await host(content);
    await ready();
    content.state.items = Array.from({ length: 120 }, (_, i) => item(i + 1));
    const before = content.mock.callsOf('list_contents').length;
    const [a, b] = await Promise.all([
      client().request('search:v1', 'reindex_all', {}),
      client().request('search:v1', 'reindex_all', {}),
    ]);
    expect(a).toEqual(b);
    expect(a).toMatchObject({ indexed: 120, took_ms: expect.any(Number) });
    expect(content.mock.callsOf('list_contents').length - before).toBe(2); // one rebuild, two pages
    content.state.down = true;
    await expect(client().request('search:v1', 'reindex_all', {})).rejects.toMatchObject({
      code: 'REINDEX_FAILED',
      retryable: true,
    });
    expect((await search('episode 120')).total).toBe(1);
    expect(await stats()).toMatchObject({
      documents: 120,
      ready: true,
      last_error: expect.stringContaining('content is down'),
    });
  });

  it('serves index_content / remove_content, paging and stats', async () => {
    await host(fakeContent([]));
    await ready();
    for (let n = 1; n <= 45; n++)
      await client().request(
        'search:v1',
        'index_content',
        summary(item(n, { title: `Final Table ${n}` })),
      );
    const p3 = await search('final table', { page: 3, limit: 20 });
    expect(p3).toMatchObject({ total: 45, page: 3, pages: 3 });
    expect(p3.results).toHaveLength(5);
    expect((await search('final table', { page: 4, limit: 20 })).results).toEqual([]);
    expect((await search('final table', { catalog: 'hcl', limit: 100 })).total).toBe(22);
    expect(await client().request('search:v1', 'remove_content', { content_id: 'c1' })).toEqual({
      ok: true,
    });
    expect((await search('final table')).total).toBe(44);
    expect(
      await client().request('search:v1', 'suggest', { q: 'final table 4', limit: 3 }),
    ).toEqual({
      suggestions: expect.arrayContaining([{ content_id: 'c4', title: 'Final Table 4' }]),
    });
    expect(await stats()).toMatchObject({ documents: 44, queries: 4 });
  });

  it('refuses bad input: INVALID_PAYLOAD from the contract, QUERY_TOO_SHORT from the block', async () => {
    await host(fakeContent([]));
    for (const bad of [
      { q: 'a' },
      { q: 'main', limit: 101 },
      { q: 'main', page: 0 },
      { q: 'x'.repeat(201) },
      { q: 'main', min_duration: -1 },
    ]) {
      await expect(
        client().request('search:v1', 'search', bad),
        JSON.stringify(bad),
      ).rejects.toMatchObject({ code: 'INVALID_PAYLOAD', status: 400 });
    }
    await expect(search('  a  ')).rejects.toMatchObject({ code: 'QUERY_TOO_SHORT', status: 400 });
    await expect(
      client().request('search:v1', 'suggest', { q: 'ma', limit: 21 }),
    ).rejects.toMatchObject({ code: 'INVALID_PAYLOAD' });
    expect(await client().request('search:v1', 'suggest', { q: '  ' })).toEqual({
      suggestions: [],
    });
  });
});
