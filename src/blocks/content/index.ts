/**
 * The content block: catalog, contents, watch progress, plays and the home rows
 * (docs/blocks/02-content.md).
 */
import { defineBlock, type ContractHandlers } from '../../orchestration/index.ts';
import { openDatabaseFor } from '../../platform/database/index.ts';
import { migrations } from './migrations.ts';
import type { ContentDB } from './models.ts';
import { contentRoutes } from './router.ts';
import { ContentService } from './service.ts';
import { viewerRoutes } from './viewer-routes.ts';

function handlers({ reads, writes, watching }: ContentService): ContractHandlers<'content:v1'> {
  return {
    get_content: ({ content_id }) => reads.get(content_id),
    list_contents: (input) => reads.list(input),
    get_catalogs: () => reads.catalogs(),
    create_content: async (input, call) => (await writes.create(input, call)).content,
    update_content: ({ content_id, patch }, call) => writes.update(content_id, patch, call),
    delete_content: async ({ content_id }, call) => ({
      deleted: await writes.remove(content_id, call),
    }),
    content_exists_by_path: ({ media_path }) => reads.existsByPath(media_path),
    update_progress: (input, call) => watching.saveProgress(input, call),
    get_user_progress: ({ user_id, content_id }) => watching.progressOf(user_id, content_id),
    record_play: ({ user_id, content_id }) => watching.recordPlay(user_id, content_id),
    find_by_text: (input) => reads.findByText(input),
  };
}

function handlersV2({ archive, viewers: v }: ContentService): ContractHandlers<'content:v2'> {
  return {
    get_content: ({ content_id }) => archive.get(content_id),
    list_events: (input) => archive.events(input),
    get_event: ({ event_id }) => archive.event(event_id),
    next_episode: ({ content_id }) => archive.next(content_id),
    correct_structure: ({ content_id, patch }) => archive.correct(content_id, patch),
    get_history: ({ user_id, ...page }) => v.history(user_id, page),
    remove_from_history: ({ user_id, content_id }) => v.forget(user_id, content_id),
    set_watched: ({ user_id, content_id, watched }, call) =>
      v.setWatched(user_id, content_id, watched, call),
    set_event_watched: ({ user_id, event_id, watched }, call) =>
      v.setEventWatched(user_id, event_id, watched, call),
    get_my_list: ({ user_id, ...page }) => v.list(user_id, page),
    add_to_list: ({ user_id, content_id }) => v.addToList(user_id, content_id),
    remove_from_list: ({ user_id, content_id }) => v.removeFromList(user_id, content_id),
    get_viewer_settings: ({ user_id }) => v.settings(user_id),
    update_viewer_settings: ({ user_id, patch }) => v.updateSettings(user_id, patch),
  };
}

export default defineBlock({
  id: 'content',
  name: 'Content',
  version: '1.0.0',
  contracts: ['content:v1', 'content:v2'],
  endpoints: [
    '/api/catalogs',
    '/api/contents',
    '/api/home',
    '/api/progress',
    '/api/events',
    '/api/watched',
    '/api/history',
    '/api/my-list',
    '/api/viewer',
  ],
  async setup(ctx) {
    const database = await openDatabaseFor<ContentDB>(ctx.shared, 'content', migrations);
    const service = new ContentService(database);
    const forget = () => service.home.forget();
    return {
      handlers: { 'content:v1': handlers(service), 'content:v2': handlersV2(service) },
      events: {
        // Our own events also come from other instances: their changes must clear this instance's
        // home cache.
        content_added: forget,
        content_updated: forget,
        content_deleted: forget,
        thumbnail_generated: async ({ content_id, thumbnail_url }, call) => {
          if (await service.reads.get(content_id))
            await service.writes.update(content_id, { thumbnail_url }, call);
        },
      },
      routes: (app) => {
        contentRoutes(app, service, ctx.client);
        viewerRoutes(app, service, ctx.client);
      },
      health: () => service.health(),
      stop: () => service.close(),
    };
  },
});
