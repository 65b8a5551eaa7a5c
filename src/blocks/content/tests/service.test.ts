/**
 * The content service on both real databases (SQLite and PostgreSQL): CRUD, the LIKE search
 * fallback, progress, plays, catalogs and the home rows. A controllable clock drives time.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { ContentPatch } from '../../../orchestration/contracts/content.ts';
import {
  DEFAULT_SCHEMA_PREFIX,
  openDatabaseFor,
  type BlockDatabase,
} from '../../../platform/database/index.ts';
import { describeEachDatabase } from '../../../../test/support/databases.ts';
import { migrations } from '../migrations.ts';
import type { ContentDB, NewContentInput, Via } from '../models.ts';
import { catalogId, isFinished, mediaPathProblem } from '../rules.ts';
import { ContentService } from '../service.ts';

const HOUR = 3600_000;
const T0 = Date.parse('2024-06-01T12:00:00Z');

describe('pure rules', () => {
  it('accepts only paths relative to the library root', () => {
    expect(mediaPathProblem('WSOP/2024/Main Event Day 1.mp4')).toBeNull();
    expect(mediaPathProblem('HCL/a..b.mp4')).toBeNull();
    for (const bad of [
      '/etc/passwd',
      'C:/x.mp4',
      'c:x.mp4',
      'WSOP/../../etc/passwd',
      '..',
      'WSOP\\x.mp4',
      'WSOP/x\0.mp4',
      'WSOP//x.mp4',
      './x.mp4',
      'WSOP/',
    ]) {
      expect(mediaPathProblem(bad), bad).not.toBeNull();
    }
  });

  it('derives catalog ids from names', () => {
    expect(catalogId('WSOP')).toBe('wsop');
    expect(catalogId('  GG Millions ')).toBe('gg-millions');
    expect(catalogId('PAD / Season 2')).toBe('pad-season-2');
    expect(catalogId('포커')).toBe('포커');
    expect(catalogId('***')).toBe('other');
  });

  it('calls an item finished at 95 % or in the last 30 s after the first half', () => {
    expect(isFinished(5699, 6000)).toBe(false);
    expect(isFinished(5700, 6000)).toBe(true);
    expect(isFinished(94, 100)).toBe(true); // 6 s left of a short clip
    expect(isFinished(270, 300)).toBe(true); // 30 s left, 90 %
    expect(isFinished(269, 300)).toBe(false);
    expect(isFinished(0, 20)).toBe(false); // a short clip is not finished at its start
    expect(isFinished(10, 0)).toBe(false);
  });

  it('the update patch schema applies no defaults (zod 4 keeps .default() inside .partial())', () => {
    expect(ContentPatch.parse({ title: 'x' })).toEqual({ title: 'x' });
  });
});

describeEachDatabase('content service', (target) => {
  let database: BlockDatabase<ContentDB>;
  let clock = T0;
  const events: Array<[string, any]> = [];
  const via: Via = {
    publishOrLog: async (event: string, payload: unknown) => void events.push([event, payload]),
  };
  let s: ContentService;
  const item = (n: number, over: Partial<NewContentInput> = {}): NewContentInput => ({
    title: `Item ${n}`,
    description: '',
    catalog: 'WSOP',
    media_path: `WSOP/item-${n}.mp4`,
    ...over,
  });
  const add = async (over: Partial<NewContentInput> & { title: string }) => {
    clock += 1000;
    return (await s.writes.create(item(clock, over), via)).content;
  };

  beforeAll(async () => {
    const env = target.env();
    database = await openDatabaseFor<ContentDB>(
      {
        dataDir: env.WSOPTV_DATA_DIR,
        databaseUrl: env.DATABASE_URL,
        dbSchemaPrefix: env.WSOPTV_DB_SCHEMA_PREFIX ?? DEFAULT_SCHEMA_PREFIX,
      },
      'content',
      migrations,
    );
  });
  afterAll(() => database.close());
  beforeEach(async () => {
    for (const t of ['plays', 'progress', 'contents'] as const)
      await database.db.deleteFrom(t).execute();
    events.length = 0;
    clock = T0;
    s = new ContentService(database, { now: () => clock, homeCacheMs: 0 });
  });

  it('creates, reads, lists with paging and catalog filter, updates and deletes', async () => {
    const a = await add({
      title: 'Main Event Day 1',
      catalog: 'WSOP',
      duration_seconds: 3600,
      file_size: 5_000_000_000,
      metadata: { year: 2024, day: 1 },
    });
    const b = await add({ title: 'High Stakes', catalog: 'HCL', description: 'cash game' });
    const c = await add({ title: 'Main Event Day 2', catalog: 'WSOP' });
    expect(await s.reads.get(a.id)).toEqual({ ...a, thumbnail_url: null });
    expect(a).toMatchObject({
      duration_seconds: 3600,
      file_size: 5_000_000_000,
      metadata: { year: 2024, day: 1 },
      added_at: new Date(T0 + 1000).toISOString(),
    });
    expect(b.description).toBe('cash game');

    const all = await s.reads.list({ limit: 2, offset: 0 });
    expect(all.total).toBe(3);
    expect(all.items.map((x) => x.id)).toEqual([c.id, b.id]); // newest first
    expect((await s.reads.list({ limit: 2, offset: 2 })).items.map((x) => x.id)).toEqual([a.id]);
    const wsop = await s.reads.list({ catalog: 'wsop', limit: 20, offset: 0 });
    expect(wsop.total).toBe(2);
    expect((await s.reads.list({ catalog: 'WSOP', limit: 20, offset: 0 })).total).toBe(2);
    expect((await s.reads.list({ catalog: 'nothing', limit: 20, offset: 0 })).total).toBe(0);

    const updated = await s.writes.update(b.id, { title: 'High Stakes Poker' }, via);
    expect(updated).toMatchObject({
      title: 'High Stakes Poker',
      description: 'cash game',
      catalog: 'HCL',
    });
    const moved = await s.writes.update(
      b.id,
      { catalog: 'WSOP', description: '', file_size: null },
      via,
    );
    expect(moved).toMatchObject({
      title: 'High Stakes Poker',
      description: '',
      catalog: 'WSOP',
      file_size: null,
    });
    expect(await s.writes.update(b.id, {}, via)).toEqual(moved);

    await s.watching.saveProgress(
      { user_id: 'u1', content_id: a.id, position_seconds: 10, duration_seconds: 3600 },
      via,
    );
    await s.watching.recordPlay('u1', a.id);
    expect(await s.writes.remove(a.id, via)).toBe(true);
    expect(await s.writes.remove(a.id, via)).toBe(false);
    expect(await s.reads.get(a.id)).toBeNull();
    expect(await s.watching.progressOf('u1')).toEqual([]); // progress went with the item
    expect(events.map(([e]) => e)).toEqual([
      'content_added',
      'content_added',
      'content_added',
      'content_updated',
      'content_updated',
      'progress_updated',
      'content_deleted',
    ]);
    expect(events[0][1]).toEqual({
      content_id: a.id,
      title: 'Main Event Day 1',
      description: '',
      catalog: 'WSOP',
      duration_seconds: 3600,
      thumbnail_url: null,
      added_at: a.added_at,
    });
    expect(events.at(-1)![1]).toEqual({ content_id: a.id, media_path: a.media_path });
  });

  it("is idempotent on media_path and refuses a patch onto another item's path", async () => {
    const first = await s.writes.create(item(1), via);
    const again = await s.writes.create(item(1, { title: 'Another title' }), via);
    expect(first.created).toBe(true);
    expect(again).toEqual({ content: first.content, created: false });
    expect(events).toHaveLength(1);
    expect(await s.reads.existsByPath('WSOP/item-1.mp4')).toEqual({
      exists: true,
      content_id: first.content.id,
    });
    expect(await s.reads.existsByPath('WSOP/none.mp4')).toEqual({
      exists: false,
      content_id: null,
    });
    const other = (await s.writes.create(item(2), via)).content;
    await expect(
      s.writes.update(other.id, { media_path: 'WSOP/item-1.mp4' }, via),
    ).rejects.toMatchObject({
      code: 'CONTENT_EXISTS',
      status: 409,
    });
    await expect(s.writes.update('missing', { title: 'x' }, via)).rejects.toMatchObject({
      code: 'CONTENT_NOT_FOUND',
      status: 404,
    });
  });

  it('rejects unsafe paths, odd thumbnail URLs, blank titles and huge metadata', async () => {
    await expect(
      s.writes.create(item(1, { media_path: '/nas/WSOP/x.mp4' }), via),
    ).rejects.toMatchObject({
      code: 'INVALID_MEDIA_PATH',
      status: 400,
    });
    await expect(
      s.writes.create(item(1, { media_path: 'WSOP/../../x.mp4' }), via),
    ).rejects.toMatchObject({
      code: 'INVALID_MEDIA_PATH',
    });
    await expect(
      s.writes.create(item(1, { thumbnail_url: 'javascript:alert(1)' }), via),
    ).rejects.toMatchObject({ code: 'INVALID_THUMBNAIL_URL' });
    await expect(
      s.writes.create(item(1, { thumbnail_url: '//evil.example/x.jpg' }), via),
    ).rejects.toMatchObject({ code: 'INVALID_THUMBNAIL_URL' });
    await expect(s.writes.create(item(1, { title: '   ' }), via)).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
    });
    await expect(
      s.writes.create(item(1, { metadata: { blob: 'x'.repeat(20_000) } }), via),
    ).rejects.toMatchObject({ code: 'METADATA_TOO_LARGE' });
    const ok = await s.writes.create(item(1, { thumbnail_url: '/thumbs/1.jpg' }), via);
    await expect(
      s.writes.update(ok.content.id, { media_path: 'C:\\x.mp4' }, via),
    ).rejects.toMatchObject({
      code: 'INVALID_MEDIA_PATH',
    });
    expect((await s.reads.list({ limit: 20, offset: 0 })).total).toBe(1);
  });

  it('stores SQL-looking text literally', async () => {
    const evil = "Robert'); DROP TABLE contents;--";
    const c = await add({
      title: evil,
      description: "' OR 1=1 --",
      metadata: { note: '"; DELETE FROM progress' },
    });
    expect(await s.reads.get(c.id)).toMatchObject({
      title: evil,
      description: "' OR 1=1 --",
      metadata: { note: '"; DELETE FROM progress' },
    });
    expect(
      (await s.reads.findByText({ query: "'); drop", limit: 20, offset: 0 })).results.map(
        (r) => r.content.id,
      ),
    ).toEqual([c.id]);
    expect((await s.reads.list({ limit: 20, offset: 0 })).total).toBe(1);
  });

  describe('find_by_text', () => {
    const find = (query: string, more: object = {}) =>
      s.reads.findByText({ query, limit: 20, offset: 0, ...more });

    it('scores exact 1.0 > prefix 0.9 > title contains 0.7 > description 0.5, then by title, case-insensitively', async () => {
      await add({ title: 'Final Table Recap', catalog: 'HCL' });
      await add({ title: 'The Final', description: 'not this one' });
      await add({ title: 'FINAL' });
      await add({ title: 'Day 3', description: 'Road to the final table' });
      await add({ title: 'A final showdown' });
      await add({ title: 'Unrelated', description: 'nothing here' });
      const r = await find('  Final ');
      expect(r.total).toBe(5);
      expect(r.results.map((x) => [x.content.title, x.score])).toEqual([
        ['FINAL', 1],
        ['Final Table Recap', 0.9],
        ['A final showdown', 0.7],
        ['The Final', 0.7],
        ['Day 3', 0.5],
      ]);
    });

    it('matches non-ASCII text case-insensitively on both databases', async () => {
      const c = await add({ title: 'Événement Principal' });
      await add({ title: '포커 결승', description: '한국어 설명' });
      expect((await find('événement')).results.map((x) => x.content.id)).toEqual([c.id]);
      expect((await find('ÉVÉNEMENT PRINCIPAL')).results[0]).toMatchObject({ score: 1 });
      expect((await find('설명')).results[0]).toMatchObject({ score: 0.5 });
    });

    it('treats %, _ and \\ in the query as literal characters', async () => {
      const pct = await add({ title: '100% Bluff' });
      const und = await add({ title: 'snake_case day' });
      const bsl = await add({ title: 'back\\slash' });
      await add({ title: '1000 Bluffs' });
      await add({ title: 'snakeXcase day' });
      await add({ title: 'backslash' });
      expect((await find('%')).results.map((x) => x.content.id)).toEqual([pct.id]);
      expect((await find('0% b')).results.map((x) => x.content.id)).toEqual([pct.id]);
      expect((await find('_')).results.map((x) => x.content.id)).toEqual([und.id]);
      expect((await find('e_c')).results.map((x) => x.content.id)).toEqual([und.id]);
      expect((await find('\\')).results.map((x) => x.content.id)).toEqual([bsl.id]);
      await expect(find('   ')).rejects.toMatchObject({ code: 'INVALID_QUERY', status: 400 });
    });

    it('filters by catalog and duration and pages with a total', async () => {
      await add({ title: 'Poker A', catalog: 'WSOP', duration_seconds: 600 });
      await add({ title: 'Poker B', catalog: 'WSOP', duration_seconds: 3600 });
      await add({ title: 'Poker C', catalog: 'HCL', duration_seconds: 1800 });
      await add({ title: 'Poker D', catalog: 'WSOP' });
      expect((await find('poker', { catalog: 'wsop' })).total).toBe(3);
      expect(
        (await find('poker', { min_duration: 1000 })).results.map((x) => x.content.title),
      ).toEqual(['Poker B', 'Poker C']);
      expect(
        (await find('poker', { max_duration: 1800, catalog: 'HCL' })).results.map(
          (x) => x.content.title,
        ),
      ).toEqual(['Poker C']);
      const page = await find('poker', { limit: 2, offset: 2 });
      expect(page.total).toBe(4);
      expect(page.results.map((x) => x.content.title)).toEqual(['Poker C', 'Poker D']);
    });
  });

  it('keeps progress per user with percent, clamping and the finished flag', async () => {
    const c = await add({ title: 'Long', duration_seconds: 7200 });
    const p1 = await s.watching.saveProgress(
      { user_id: 'u1', content_id: c.id, position_seconds: 1800, duration_seconds: 7200 },
      via,
    );
    expect(p1).toMatchObject({
      position_seconds: 1800,
      duration_seconds: 7200,
      percent: 25,
      finished: false,
      updated_at: new Date(clock).toISOString(),
    });
    expect(events.at(-1)).toEqual([
      'progress_updated',
      { user_id: 'u1', content_id: c.id, position_seconds: 1800, percent: 25 },
    ]);
    clock += 1000;
    const p2 = await s.watching.saveProgress(
      { user_id: 'u1', content_id: c.id, position_seconds: 9000, duration_seconds: 7200 },
      via,
    );
    expect(p2).toMatchObject({ position_seconds: 7200, percent: 100, finished: true });
    const p3 = await s.watching.saveProgress(
      { user_id: 'u2', content_id: c.id, position_seconds: 100, duration_seconds: 0 },
      via,
    );
    // the item's duration stands in for an unknown one
    expect(p3).toMatchObject({ duration_seconds: 7200, percent: 1.39 });
    expect(await s.watching.progressOf('u1')).toEqual([p2]);
    expect(await s.watching.progressOf('u2', c.id)).toEqual([p3]);
    expect(await s.watching.progressOf('u2', 'other')).toEqual([]);
    await expect(
      s.watching.saveProgress(
        { user_id: 'u1', content_id: 'nope', position_seconds: 1, duration_seconds: 2 },
        via,
      ),
    ).rejects.toMatchObject({ code: 'CONTENT_NOT_FOUND' });
  });

  it('counts plays in a sliding 24 h window', async () => {
    const c = await add({ title: 'Hot' });
    expect(await s.watching.recordPlay('u1', c.id)).toEqual({ plays_last_24h: 1 });
    clock += 23 * HOUR;
    expect(await s.watching.recordPlay('u2', c.id)).toEqual({ plays_last_24h: 2 });
    clock += 2 * HOUR;
    expect(await s.watching.recordPlay('u1', c.id)).toEqual({ plays_last_24h: 2 });
    await expect(s.watching.recordPlay('u1', 'nope')).rejects.toMatchObject({
      code: 'CONTENT_NOT_FOUND',
    });
  });

  it('derives catalogs from contents', async () => {
    await add({ title: 'a', catalog: 'WSOP' });
    await add({ title: 'b', catalog: 'WSOP' });
    await add({ title: 'c', catalog: 'GG Millions' });
    await add({ title: 'd', catalog: 'HCL' });
    expect(await s.reads.catalogs()).toEqual([
      { id: 'gg-millions', name: 'GG Millions', content_count: 1 },
      { id: 'hcl', name: 'HCL', content_count: 1 },
      { id: 'wsop', name: 'WSOP', content_count: 2 },
    ]);
  });

  it('builds the home rows: continue watching, trending (24 h), new releases, one row per catalog, hero', async () => {
    const items = [];
    for (let i = 0; i < 14; i++)
      items.push(
        await add({
          title: `Ep ${i}`,
          catalog: i % 2 ? 'HCL' : 'WSOP',
          duration_seconds: 1000,
          thumbnail_url: `/thumbs/${i}.jpg`,
        }),
      );
    // u1 watches 12 items in order, finishes one of them; u2 watches one.
    for (let i = 0; i < 12; i++) {
      clock += 1000;
      await s.watching.saveProgress(
        {
          user_id: 'u1',
          content_id: items[i].id,
          position_seconds: i === 11 ? 990 : 100 + i,
          duration_seconds: 1000,
        },
        via,
      );
    }
    await s.watching.saveProgress(
      { user_id: 'u1', content_id: items[13].id, position_seconds: 0, duration_seconds: 1000 },
      via,
    );
    await s.watching.saveProgress(
      { user_id: 'u2', content_id: items[12].id, position_seconds: 5, duration_seconds: 1000 },
      via,
    );
    // Plays: item 3 twice recently, item 5 once, item 7 three times but 25 h ago.
    for (let i = 0; i < 3; i++) await s.watching.recordPlay('u1', items[7].id);
    clock += 25 * HOUR;
    await s.watching.recordPlay('u1', items[3].id);
    await s.watching.recordPlay('u2', items[3].id);
    await s.watching.recordPlay('u2', items[5].id);

    const home = await s.home.of('u1');
    const row = (id: string) => home.rows.find((r) => r.id === id)!;
    expect(home.rows.map((r) => r.id)).toEqual([
      'continue_watching',
      'trending',
      'new_releases',
      'catalog:hcl',
      'catalog:wsop',
    ]);
    const cw = row('continue_watching').items as any[];
    expect(cw.map((x) => x.title)).toEqual([
      'Ep 10',
      'Ep 9',
      'Ep 8',
      'Ep 7',
      'Ep 6',
      'Ep 5',
      'Ep 4',
      'Ep 3',
      'Ep 2',
      'Ep 1',
    ]);
    expect(cw[0].progress).toMatchObject({
      user_id: 'u1',
      content_id: items[10].id,
      position_seconds: 110,
      percent: 11,
      finished: false,
    });
    expect(cw[0].thumbnail_url).toBe('/thumbs/10.jpg');
    expect(row('trending').items.map((x) => x.title)).toEqual(['Ep 3', 'Ep 5']);
    expect(
      row('new_releases')
        .items.map((x) => x.title)
        .slice(0, 3),
    ).toEqual(['Ep 13', 'Ep 12', 'Ep 11']);
    expect(row('catalog:hcl')).toMatchObject({ title: 'HCL' });
    expect(row('catalog:hcl').items.every((x) => x.catalog === 'HCL')).toBe(true);
    expect(row('catalog:wsop').items).toHaveLength(7);
    expect(home.hero?.title).toBe('Ep 13');
    expect((await s.home.of('u2')).rows[0].items.map((x) => x.title)).toEqual(['Ep 12']);
    expect((await s.home.of('nobody')).rows[0].items).toEqual([]);
  });

  it('caches the shared rows until a content change or the cache time passes', async () => {
    const cached = new ContentService(database, { now: () => clock, homeCacheMs: 30_000 });
    const a = (await cached.writes.create(item(1), via)).content;
    expect((await cached.home.of('u1')).rows.find((r) => r.id === 'trending')!.items).toEqual([]);
    await cached.watching.recordPlay('u1', a.id); // plays do not clear the cache ...
    expect((await cached.home.of('u1')).rows.find((r) => r.id === 'trending')!.items).toEqual([]);
    clock += 31_000; // ... the cache time does
    expect(
      (await cached.home.of('u1')).rows.find((r) => r.id === 'trending')!.items.map((x) => x.id),
    ).toEqual([a.id]);
    // A write behind the service's back is not seen; a change through it clears the cache at once.
    await database.db.updateTable('contents').set({ title: 'sneaky' }).execute();
    expect((await cached.home.of('u1')).hero?.title).toBe('Item 1');
    const b = (await cached.writes.create(item(2), via)).content;
    expect((await cached.home.of('u1')).hero?.id).toBe(b.id);
    await cached.writes.update(b.id, { title: 'Renamed' }, via);
    expect((await cached.home.of('u1')).hero?.title).toBe('Renamed');
    await cached.writes.remove(b.id, via);
    expect((await cached.home.of('u1')).hero?.title).toBe('sneaky');
  });

  it('reports healthy while its database answers', async () => {
    expect(await s.health()).toEqual({ status: 'healthy' });
    expect(
      (await sql<{ n: number }>`select count(*) as n from contents`.execute(database.db)).rows[0].n,
    ).toBe(0);
  });
});
