/**
 * The archive's and the viewer's routes over HTTP, in a host with a mock auth block, on SQLite
 * and PostgreSQL: the guard, events with their episodes and the caller's marks, the next
 * episode, watched marks, history, my list, settings, and clear 4xx answers for bad input.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { loadConfig } from '../../../app/config.ts';
import { buildHost, type App } from '../../../app/host.ts';
import { describeEachDatabase } from '../../../../test/support/databases.ts';
import { memoryLogger } from '../../../../test/support/logs.ts';
import contentBlock from '../index.ts';
import { authMock } from './helpers.ts';

const EVENT = 'wsop~2024~main-event';

describeEachDatabase('archive and viewer routes', (target) => {
  let app: App;
  const ids: Record<string, string> = {};
  const call = (method: 'GET' | 'PUT' | 'PATCH' | 'DELETE', url: string, payload?: object) =>
    app.http.inject({
      method,
      url,
      headers: { authorization: 'Bearer viewer' },
      ...(payload ? { payload } : {}),
    });

  beforeAll(async () => {
    app = await buildHost(loadConfig({ ...target.env() }), memoryLogger().logger, [
      contentBlock,
      authMock().manifest,
    ]);
    for (const name of ['Day 2', 'Day 1', 'Final Table']) {
      const item = await app.orchestrator.client('worker').request('content:v1', 'create_content', {
        title: name,
        catalog: 'WSOP',
        media_path: `WSOP/2024/Main Event/${name}.mp4`,
        duration_seconds: 1200,
      });
      ids[name] = item.id;
    }
  });
  afterAll(() => app?.close());

  it('needs a signed-in viewer', async () => {
    const res = await app.http.inject({ method: 'GET', url: '/api/events' });
    expect(res.statusCode).toBe(401);
  });

  it('lists events and shows one with its episodes in order, the caller’s marks on each', async () => {
    const list = (await call('GET', '/api/events?catalog=wsop')).json();
    expect(list.items).toEqual([
      expect.objectContaining({ id: EVENT, name: 'Main Event', year: 2024, episode_count: 3 }),
    ]);
    await call('PUT', `/api/my-list/${ids['Day 2']}`);
    await call('PUT', `/api/watched/${ids['Day 1']}`, { watched: true });
    const res = await call('GET', `/api/events/${encodeURIComponent(EVENT)}`);
    expect(res.statusCode).toBe(200);
    const { episodes } = res.json();
    expect(episodes.map((e: { title: string }) => e.title)).toEqual([
      'Day 1',
      'Day 2',
      'Final Table',
    ]);
    expect(episodes[0]).toMatchObject({ on_list: false, progress: { finished: true } });
    expect(episodes[1]).toMatchObject({ on_list: true, progress: null });
    expect(episodes[0].media_path).toBeUndefined();
    const missing = await call('GET', '/api/events/wsop~1999~nothing');
    expect(missing.statusCode).toBe(404);
    expect(missing.json().error.code).toBe('EVENT_NOT_FOUND');
  });

  it('home gains "continue the event" (the next unwatched episode) and "my list"', async () => {
    const rows = (await call('GET', '/api/home')).json().rows as Array<{
      id: string;
      items: Array<{ title: string }>;
    }>;
    const titles = (id: string) => rows.find((r) => r.id === id)?.items.map((i) => i.title);
    expect(titles('continue_event')).toEqual(['Day 2']); // Day 1 is watched
    expect(titles('my_list')).toEqual(['Day 2']);
    expect(rows.map((r) => r.id).slice(0, 3)).toEqual([
      'continue_watching',
      'continue_event',
      'my_list',
    ]);
  });

  it('the next episode, and the item page knows its place and list mark', async () => {
    const next = (await call('GET', `/api/contents/${ids['Day 2']}/next`)).json();
    expect(next.next).toMatchObject({ title: 'Final Table', on_list: false });
    const last = (await call('GET', `/api/contents/${ids['Final Table']}/next`)).json();
    expect(last.next).toBeNull();
    const page = (await call('GET', `/api/contents/${ids['Day 2']}`)).json();
    expect(page).toMatchObject({ on_list: true, structure: { event_id: EVENT, day: 2 } });
  });

  it('history with remove, a whole event watched, my list and settings', async () => {
    await call('PUT', `/api/events/${encodeURIComponent(EVENT)}/watched`, { watched: true });
    const history = (await call('GET', '/api/history')).json();
    expect(history.total).toBe(3);
    expect((await call('DELETE', `/api/history/${ids['Day 1']}`)).json()).toEqual({
      removed: true,
    });
    expect((await call('GET', '/api/history')).json().total).toBe(2);
    const list = (await call('GET', '/api/my-list')).json();
    expect(list.items.map((i: { id: string }) => i.id)).toEqual([ids['Day 2']]);
    await call('DELETE', `/api/my-list/${ids['Day 2']}`);
    expect((await call('GET', '/api/my-list')).json().total).toBe(0);
    expect((await call('GET', '/api/viewer/settings')).json()).toEqual({
      autoplay: true,
      language: null,
    });
    const changed = await call('PATCH', '/api/viewer/settings', { autoplay: false });
    expect(changed.json()).toEqual({ autoplay: false, language: null });
  });

  it('refuses bad input with a code', async () => {
    const bad = await call('PATCH', '/api/viewer/settings', { autoplay: 'yes' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.code).toBeTruthy();
    const unknown = await call('PUT', '/api/my-list/no-such-item');
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().error.code).toBe('CONTENT_NOT_FOUND');
    const watched = await call('PUT', `/api/watched/${ids['Day 1']}`, { watched: 'x' });
    expect(watched.statusCode).toBe(400);
  });
});
