/**
 * What belongs to one viewer, through content:v2 in a real host on SQLite and PostgreSQL: the
 * watch history with remove, marking an item or a whole event as watched, my list and the
 * viewer's settings, each kept apart per viewer and across a restart of the host.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { authV1, mockBlock } from '../../../orchestration/index.ts';
import { loadConfig } from '../../../app/config.ts';
import { buildHost, type App } from '../../../app/host.ts';
import { describeEachDatabase } from '../../../../test/support/databases.ts';
import { memoryLogger } from '../../../../test/support/logs.ts';
import contentBlock from '../index.ts';

const PATHS = [
  'WSOP/2024/Main Event/Day 1.mp4',
  'WSOP/2024/Main Event/Day 2.mp4',
  'WSOP/2024/Main Event/Final Table.mp4',
  'HCL/Season 1/Episode 1.mp4',
];
const EVENT = 'wsop~2024~main-event';

describeEachDatabase('a viewer’s history, list and settings', (target) => {
  let env: Record<string, string>;
  let app: App;
  const ids: string[] = [];
  const start = async () => {
    const auth = mockBlock('auth:v1', {}, Object.keys(authV1.actions));
    app = await buildHost(loadConfig(env), memoryLogger().logger, [contentBlock, auth.manifest]);
  };
  const c = () => app.orchestrator.client('gateway');

  beforeAll(async () => {
    env = { ...target.env() };
    await start();
    for (const media_path of PATHS) {
      const item = await c().request('content:v1', 'create_content', {
        title: media_path.split('/').at(-1)!.replace('.mp4', ''),
        catalog: media_path.split('/')[0],
        media_path,
        duration_seconds: 600,
      });
      ids.push(item.id);
    }
  });
  afterAll(() => app?.close());

  it('history: newest first, per viewer, with remove', async () => {
    for (const [i, id] of ids.slice(0, 3).entries())
      await c().request('content:v1', 'update_progress', {
        user_id: 'u1',
        content_id: id,
        position_seconds: 60 * (i + 1),
        duration_seconds: 600,
      });
    await new Promise((r) => setTimeout(r, 5));
    await c().request('content:v1', 'update_progress', {
      user_id: 'u1',
      content_id: ids[0],
      position_seconds: 300,
      duration_seconds: 600,
    });
    const h = await c().request('content:v2', 'get_history', {
      user_id: 'u1',
      limit: 10,
      offset: 0,
    });
    expect(h.total).toBe(3);
    expect(h.items.map((i) => i.title)).toEqual(['Day 1', 'Final Table', 'Day 2']);
    expect(h.items[0].progress).toMatchObject({ position_seconds: 300, percent: 50 });
    const other = await c().request('content:v2', 'get_history', {
      user_id: 'u2',
      limit: 10,
      offset: 0,
    });
    expect(other.total).toBe(0);
    expect(
      await c().request('content:v2', 'remove_from_history', { user_id: 'u1', content_id: ids[1] }),
    ).toEqual({ removed: true });
    expect(
      await c().request('content:v2', 'remove_from_history', { user_id: 'u1', content_id: ids[1] }),
    ).toEqual({ removed: false });
    expect(
      await c().request('content:v1', 'get_user_progress', { user_id: 'u1', content_id: ids[1] }),
    ).toEqual([]);
  });

  it('marks an item and a whole event as watched, and back', async () => {
    await c().request('content:v2', 'set_watched', {
      user_id: 'u3',
      content_id: ids[3],
      watched: true,
    });
    const [p] = await c().request('content:v1', 'get_user_progress', {
      user_id: 'u3',
      content_id: ids[3],
    });
    expect(p).toMatchObject({ finished: true, percent: 100, position_seconds: 600 });
    const all = await c().request('content:v2', 'set_event_watched', {
      user_id: 'u3',
      event_id: EVENT,
      watched: true,
    });
    expect(all).toEqual({ event_id: EVENT, watched: true, episodes: 3 });
    const progress = await c().request('content:v1', 'get_user_progress', { user_id: 'u3' });
    expect(progress.filter((x) => x.finished)).toHaveLength(4);
    await c().request('content:v2', 'set_event_watched', {
      user_id: 'u3',
      event_id: EVENT,
      watched: false,
    });
    const left = await c().request('content:v1', 'get_user_progress', { user_id: 'u3' });
    expect(left.map((x) => x.content_id)).toEqual([ids[3]]);
    expect(
      await c().request('content:v2', 'set_event_watched', {
        user_id: 'u3',
        event_id: 'no~such~event',
        watched: true,
      }),
    ).toBeNull();
    await expect(
      c().request('content:v2', 'set_watched', {
        user_id: 'u3',
        content_id: 'nope',
        watched: true,
      }),
    ).rejects.toMatchObject({ code: 'CONTENT_NOT_FOUND' });
  });

  it('my list: add (idempotent), newest first, remove; settings with defaults', async () => {
    for (const id of [ids[2], ids[0], ids[2]]) {
      await new Promise((r) => setTimeout(r, 3)); // "newest first" needs distinct times
      expect(
        await c().request('content:v2', 'add_to_list', { user_id: 'u4', content_id: id }),
      ).toEqual({ content_id: id, on_list: true });
    }
    const list = await c().request('content:v2', 'get_my_list', {
      user_id: 'u4',
      limit: 10,
      offset: 0,
    });
    expect(list.items.map((i) => i.id)).toEqual([ids[0], ids[2]]);
    await c().request('content:v2', 'remove_from_list', { user_id: 'u4', content_id: ids[0] });
    expect(await c().request('content:v2', 'get_viewer_settings', { user_id: 'u4' })).toEqual({
      autoplay: true,
      language: null,
    });
    expect(
      await c().request('content:v2', 'update_viewer_settings', {
        user_id: 'u4',
        patch: { autoplay: false, language: 'ko' },
      }),
    ).toEqual({ autoplay: false, language: 'ko' });
    await expect(
      c().request('content:v2', 'update_viewer_settings', {
        user_id: 'u4',
        patch: { language: 'fr' } as never,
      }),
    ).rejects.toMatchObject({ code: 'INVALID_PAYLOAD' });
  });

  it('all of it survives a restart', async () => {
    await app.close();
    await start();
    const list = await c().request('content:v2', 'get_my_list', {
      user_id: 'u4',
      limit: 10,
      offset: 0,
    });
    expect(list.items.map((i) => i.id)).toEqual([ids[2]]);
    expect(await c().request('content:v2', 'get_viewer_settings', { user_id: 'u4' })).toEqual({
      autoplay: false,
      language: 'ko',
    });
    const h = await c().request('content:v2', 'get_history', {
      user_id: 'u1',
      limit: 10,
      offset: 0,
    });
    expect(h.total).toBe(2);
  });
});
