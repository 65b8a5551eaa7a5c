/**
 * content:v2 beside content:v1, through a real host on SQLite and PostgreSQL: v1 answers keep
 * exactly their fields, v2 adds the structure, events list their episodes in broadcast order,
 * the next episode follows it, an admin's correction survives a rescan, and items registered
 * before the structure existed get theirs from the migration.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { authV1, Content, mockBlock } from '../../../orchestration/index.ts';
import {
  DEFAULT_SCHEMA_PREFIX,
  openDatabaseFor,
  type BlockDatabase,
} from '../../../platform/database/index.ts';
import { loadConfig } from '../../../app/config.ts';
import { buildHost, type App } from '../../../app/host.ts';
import { describeEachDatabase } from '../../../../test/support/databases.ts';
import { memoryLogger } from '../../../../test/support/logs.ts';
import { migrations } from '../migrations.ts';
import type { ContentDB } from '../models.ts';
import contentBlock from '../index.ts';

const EPISODES = [
  'WSOP/2024/Main Event/Final Table.mp4',
  'WSOP/2024/Main Event/Day 2.mp4',
  'WSOP/2024/Main Event/Day 10.mp4',
  'WSOP/2024/Main Event/Day 1B.mp4',
  'WSOP/2024/Main Event/Day 1A.mp4',
  'WSOP/2023/$25,000 High Roller/Day 1.mp4',
  'WSOP/1973/Main Event/Final Table.mp4',
  'HCL/Season 1/Episode 12.mp4',
  'WSOP/Highlights.mp4',
];

describeEachDatabase('content:v2 beside content:v1', (target) => {
  let app: App;
  const ids = new Map<string, string>();
  const client = () => app.orchestrator.client('worker');

  beforeAll(async () => {
    const auth = mockBlock('auth:v1', {}, Object.keys(authV1.actions));
    app = await buildHost(loadConfig({ ...target.env() }), memoryLogger().logger, [
      contentBlock,
      auth.manifest,
    ]);
    for (const media_path of EPISODES) {
      const parts = media_path.split('/');
      const item = await client().request('content:v1', 'create_content', {
        title: parts.at(-1)!.replace('.mp4', ''),
        catalog: parts[0],
        media_path,
        duration_seconds: 3600,
      });
      ids.set(media_path, item.id);
    }
  });
  afterAll(() => app?.close());
  const id = (path: string) => ids.get(`WSOP/2024/Main Event/${path}.mp4`) ?? ids.get(path)!;

  it('v1 answers carry exactly the v1 fields; v2 adds the structure', async () => {
    const v1 = await client().request('content:v1', 'get_content', { content_id: id('Day 2') });
    expect(Object.keys(v1!).sort()).toEqual(Object.keys(Content.shape).sort());
    const list = await client().request('content:v1', 'list_contents', { limit: 100, offset: 0 });
    expect(list.total).toBe(EPISODES.length);
    for (const item of list.items)
      expect(Object.keys(item).sort()).toEqual(Object.keys(Content.shape).sort());
    const v2 = await client().request('content:v2', 'get_content', { content_id: id('Day 2') });
    const { structure, ...rest } = v2!;
    expect(rest).toEqual(v1);
    expect(structure).toMatchObject({
      catalog_id: 'wsop',
      season: '2024',
      year: 2024,
      event: 'Main Event',
      event_id: 'wsop~2024~main-event',
      day: 2,
      corrected: [],
    });
  });

  it('an event lists its episodes in broadcast order, and each one knows the next', async () => {
    const answer = await client().request('content:v2', 'get_event', {
      event_id: 'wsop~2024~main-event',
    });
    expect(answer!.episodes.map((e) => e.title)).toEqual([
      'Day 1A',
      'Day 1B',
      'Day 2',
      'Day 10',
      'Final Table',
    ]);
    expect(answer!.event).toMatchObject({
      name: 'Main Event',
      catalog: 'WSOP',
      year: 2024,
      episode_count: 5,
      duration_seconds: 5 * 3600,
    });
    const next = (t: string) =>
      client().request('content:v2', 'next_episode', { content_id: id(t) });
    expect((await next('Day 1B'))?.title).toBe('Day 2');
    expect((await next('Day 10'))?.title).toBe('Final Table');
    expect(await next('Final Table')).toBeNull();
    expect(await next('WSOP/Highlights.mp4')).toBeNull(); // no event
    expect(
      await client().request('content:v2', 'get_event', { event_id: 'wsop~1999~nothing' }),
    ).toBeNull();
  });

  it('lists events newest first, by catalog', async () => {
    const all = await client().request('content:v2', 'list_events', { limit: 20, offset: 0 });
    expect(all.items.map((e) => `${e.year} ${e.name}`)).toEqual([
      '2024 Main Event',
      '2023 $25,000 High Roller',
      '1973 Main Event',
    ]);
    expect(all.total).toBe(3);
    expect(all.items[1]).toMatchObject({ buy_in: 25_000, episode_count: 1 });
    const hcl = await client().request('content:v2', 'list_events', {
      catalog_id: 'hcl',
      limit: 20,
      offset: 0,
    });
    expect(hcl.total).toBe(0); // HCL's episode sits under a season, with no event
    const paged = await client().request('content:v2', 'list_events', { limit: 1, offset: 1 });
    expect(paged.items.map((e) => e.name)).toEqual(['$25,000 High Roller']);
  });

  it("keeps an admin's correction when the item is placed again", async () => {
    const fixed = await client().request('content:v2', 'correct_structure', {
      content_id: id('Day 10'),
      patch: { day: 3 },
    });
    expect(fixed.structure).toMatchObject({ day: 3, corrected: ['day'] });
    const order = await client().request('content:v2', 'get_event', {
      event_id: 'wsop~2024~main-event',
    });
    expect(order!.episodes.map((e) => e.title)).toEqual([
      'Day 1A',
      'Day 1B',
      'Day 2',
      'Day 10',
      'Final Table',
    ]);
    // A rescan that moves the file re-derives everything but the corrected day.
    const moved = 'WSOP/2024/Main Event/Day 10 (re-encode).mp4';
    await client().request('content:v1', 'update_content', {
      content_id: id('Day 10'),
      patch: { media_path: moved },
    });
    const after = await client().request('content:v2', 'get_content', { content_id: id('Day 10') });
    expect(after!.structure).toMatchObject({ day: 3, event: 'Main Event', corrected: ['day'] });
    await expect(
      client().request('content:v2', 'correct_structure', {
        content_id: id('Day 10'),
        patch: { colour: 'red' } as never,
      }),
    ).rejects.toMatchObject({ code: 'INVALID_PAYLOAD' });
  });
});

describeEachDatabase('the structure migration', (target) => {
  let database: BlockDatabase<ContentDB>;
  // One place for both opens: each call of target.env() makes a new one.
  let env: Record<string, string> | undefined;
  const shared = () => {
    env ??= target.env();
    return {
      dataDir: env.WSOPTV_DATA_DIR,
      databaseUrl: env.DATABASE_URL,
      dbSchemaPrefix: env.WSOPTV_DB_SCHEMA_PREFIX ?? DEFAULT_SCHEMA_PREFIX,
    };
  };
  afterAll(() => database?.close());

  it('gives items registered before it their structure from their media path', async () => {
    const v1 = await openDatabaseFor<ContentDB>(shared(), 'content', migrations.slice(0, 1));
    const row = {
      title: 'Day 2',
      title_lc: 'day 2',
      description: '',
      description_lc: '',
      catalog: 'WSOP',
      catalog_id: 'wsop',
      duration_seconds: null,
      file_size: null,
      thumbnail_url: null,
      metadata: '{}',
      added_at: 1,
      updated_at: 1,
    };
    await v1.db
      .insertInto('contents')
      .values([
        { ...row, id: 'old-1', media_path: 'WSOP/2019/Main Event/Day 2.mp4' },
        { ...row, id: 'old-2', media_path: 'HCL/Season 3/Episode 4.mp4', catalog_id: 'hcl' },
      ])
      .execute();
    await v1.close();
    database = await openDatabaseFor<ContentDB>(shared(), 'content', migrations);
    const rows = await database.db
      .selectFrom('structure')
      .select(['content_id', 'event_id', 'day', 'season', 'episode_number'])
      .orderBy('content_id')
      .execute();
    expect(rows).toEqual([
      {
        content_id: 'old-1',
        event_id: 'wsop~2019~main-event',
        day: 2,
        season: '2019',
        episode_number: null,
      },
      { content_id: 'old-2', event_id: null, day: null, season: 'Season 3', episode_number: 4 },
    ]);
  });
});
