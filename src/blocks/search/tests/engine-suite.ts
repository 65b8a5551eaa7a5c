/**
 * The one suite every search engine must pass, parameterised by a factory: typo rules, prefix,
 * ranking, filters, paging, suggestions and index changes. Run by engines.test.ts against
 * MiniSearch always and MeiliSearch when a server is reachable.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SearchEngine } from '../engines/engine.ts';
import type { EngineQuery } from '../models.ts';
import { catalogue, doc } from './fixtures.ts';

export function engineSuite(
  name: string,
  make: () => Promise<SearchEngine>,
  dispose?: (engine: SearchEngine) => Promise<void>,
): void {
  describe(`search engine: ${name}`, () => {
    let engine: SearchEngine;
    const search = (q: string, over: Partial<EngineQuery> = {}) =>
      engine.search({ q, offset: 0, limit: 50, ...over });
    const ids = async (q: string, over: Partial<EngineQuery> = {}) =>
      (await search(q, over)).hits.map((h) => h.content_id);

    beforeAll(async () => {
      engine = await make();
      await engine.init();
      await engine.replaceAll(catalogue);
    });
    afterAll(async () => {
      if (dispose) await dispose(engine);
      await engine?.close();
    });

    it('holds the whole catalogue after replaceAll', async () => {
      expect(await engine.count()).toBe(catalogue.length);
    });

    it('"main evnet" finds the Main Event: one typo on a 5-letter word, two swapped letters count as one', async () => {
      const found = await ids('main evnet');
      expect(found.sort()).toEqual(['me19d1', 'me19d1b', 'me19ft', 'me21d3', 'medoc']);
      expect(await ids('main event')).toHaveLength(5);
    });

    it('"negranu" finds Negreanu (a missing letter), "helmuth" finds Hellmuth', async () => {
      expect((await ids('negranu')).sort()).toEqual(['me19d1', 'negivey']);
      expect(await ids('helmuth')).toEqual(['me19d1']);
    });

    it('allows two typos from 9 letters on, only one below', async () => {
      expect(await ids('esfondiary')).toEqual(['esf']); // 10 letters, two substitutions
      expect(await ids('esfandiary')).toEqual(['esf']);
      expect(await ids('nagreanv')).toEqual([]); // 8 letters, two substitutions
      expect(await ids('tournamnet recap')).toEqual(['rank-desc']); // 10 letters, one swap
    });

    it('takes words under 5 letters exactly (no typo, not even a swap)', async () => {
      expect(await ids('ivei')).toEqual([]);
      expect(await ids('dwen')).toEqual([]);
      expect(await ids('mian event')).toEqual([]);
      expect(await ids('ivey')).toEqual(['negivey']);
    });

    it('completes the last word as a prefix, and only the last', async () => {
      expect((await ids('negr')).sort()).toEqual(['me19d1', 'negivey']);
      expect(await ids('hellmuth negr')).toEqual(['me19d1']);
      expect(await ids('negr hellmuth')).toEqual([]);
      expect(await ids('main event fin')).toEqual(['me19ft']);
    });

    it('needs every word to match, in any field', async () => {
      expect(await ids('negreanu hellmuth')).toEqual(['me19d1']);
      expect(await ids('negreanu dwan')).toEqual([]);
      expect(await ids('wsop koray')).toEqual(['me21d3']); // catalog + description
    });

    it('is case- and accent-insensitive', async () => {
      expect(await ids('NÉGREANU IVEY')).toEqual(['negivey']);
    });

    it('ranks a title match over a description match over a catalog match', async () => {
      const found = await ids('bracelet');
      expect(found[0]).toBe('rank-title');
      expect(found.indexOf('rank-desc')).toBeLessThan(found.indexOf('rank-cat'));
      expect(found).toContain('me19ft'); // also in a description
    });

    it('returns scores in 0..1, best first, with the fields of the summary', async () => {
      const { hits } = await search('main event');
      for (const h of hits) {
        expect(h.score).toBeGreaterThan(0);
        expect(h.score).toBeLessThanOrEqual(1);
      }
      expect(hits.map((h) => h.score)).toEqual([...hits.map((h) => h.score)].sort((a, b) => b - a));
      expect(hits.find((h) => h.content_id === 'me19ft')).toEqual({
        content_id: 'me19ft',
        title: 'WSOP 2019 Main Event Final Table',
        description: 'Hossein Ensan wins the bracelet.',
        catalog: 'WSOP',
        duration_seconds: 14400,
        thumbnail_url: '/thumbnails/me19ft.jpg',
        score: expect.any(Number),
      });
    });

    it('filters by catalog (name exactly but for case, or its id) and duration (items without one drop out)', async () => {
      expect((await ids('main event', { catalog: 'wsop' })).sort()).toEqual([
        'me19d1',
        'me19ft',
        'me21d3',
      ]);
      expect(await ids('main event', { catalog: ' WSOP archive ' })).toEqual(['me19d1b']);
      // the catalog's id, as content makes it
      expect(await ids('adelstein', { catalog: 'hustler-casino-live' })).toEqual(['hcl12']);
      expect(await ids('main event', { catalog: 'WSO' })).toEqual([]);
      expect((await ids('main event', { min_duration: 10000 })).sort()).toEqual([
        'me19ft',
        'me21d3',
      ]);
      expect(await ids('main event', { max_duration: 7100 })).toEqual(['me19d1b']);
      expect(await ids('main event', { min_duration: 0, catalog: 'documentary' })).toEqual([]);
      expect(await ids('main event', { catalog: 'documentary' })).toEqual(['medoc']);
      expect((await ids('cash game', { min_duration: 3000, max_duration: 3200 })).sort()).toEqual([
        'cash21',
        'cash22',
        'cash23',
      ]);
    });

    it('pages through all matches: total counts them all, pages never overlap', async () => {
      const pages = await Promise.all(
        [0, 10, 20, 30].map((offset) => search('cash game session', { offset, limit: 10 })),
      );
      expect(pages.map((p) => p.total)).toEqual([25, 25, 25, 25]);
      expect(pages.map((p) => p.hits.length)).toEqual([10, 10, 5, 0]);
      expect(new Set(pages.flatMap((p) => p.hits.map((h) => h.content_id))).size).toBe(25);
      expect((await search('zzzzzz')).total).toBe(0);
    });

    it('suggests titles as the user types: title only, prefix, one per distinct title', async () => {
      const titles = (await engine.suggest('main ev', 10)).map((s) => s.title);
      expect(titles.sort()).toEqual([
        'Main Event Documentary',
        'WSOP 2019 Main Event Day 1',
        'WSOP 2019 Main Event Final Table',
        'WSOP 2021 Main Event Day 3',
      ]);
      expect(await engine.suggest('n', 20)).toEqual([
        { content_id: 'negivey', title: 'Negreanu vs Ivey Heads-Up' },
      ]);
      expect(await engine.suggest('adelstein', 10)).toEqual([]); // in a description only
      expect(await engine.suggest('cash game', 3)).toHaveLength(3);
    });

    it('applies updates and removals at once', async () => {
      await engine.upsert([
        doc('tmp1', 'Triton Poker Montenegro', 'Short deck high roller.', 'Triton'),
      ]);
      expect(await ids('montenegro')).toEqual(['tmp1']);
      await engine.upsert([
        doc('tmp1', 'Triton Poker Cyprus', 'Short deck high roller.', 'Triton'),
      ]);
      expect(await ids('montenegro')).toEqual([]);
      expect(await ids('cyprus')).toEqual(['tmp1']);
      expect(await engine.count()).toBe(catalogue.length + 1);
      await engine.remove(['tmp1', 'never-indexed']);
      expect(await ids('cyprus')).toEqual([]);
      expect(await engine.count()).toBe(catalogue.length);
    });

    it('finds an item again after an update that keeps its words (and after searches in between)', async () => {
      const [a, b] = [
        doc('same-a', 'Seminole Hard Rock Day 2', 'x', 'WPT'),
        doc('same-b', 'Seminole Hard Rock Day 3', 'y', 'WPT'),
      ];
      await engine.upsert([a, b]);
      expect((await ids('seminole')).sort()).toEqual(['same-a', 'same-b']);
      await engine.upsert([{ ...a, thumbnail_url: '/new.jpg' }]);
      expect((await ids('seminole')).sort()).toEqual(['same-a', 'same-b']);
      expect((await search('seminole day 2')).hits[0]).toMatchObject({
        content_id: 'same-a',
        thumbnail_url: '/new.jpg',
      });
      await engine.remove(['same-a', 'same-b']);
      expect(await ids('seminole')).toEqual([]);
    });

    it('replaceAll swaps the whole index', async () => {
      await engine.replaceAll([doc('only', 'Poker After Dark Week 1', 'Six players.', 'PAD')]);
      expect(await engine.count()).toBe(1);
      expect(await ids('main event')).toEqual([]);
      expect(await ids('after dark')).toEqual(['only']);
      await engine.replaceAll(catalogue);
      expect(await ids('main event')).toHaveLength(5);
    });
  });
}
