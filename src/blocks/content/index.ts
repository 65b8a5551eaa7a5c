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

export default defineBlock({
  id: 'content',
  name: 'Content',
  version: '1.0.0',
  contracts: ['content:v1'],
  endpoints: ['/api/catalogs', '/api/contents', '/api/home', '/api/progress'],
  async setup(ctx) {
    const database = await openDatabaseFor<ContentDB>(ctx.shared, 'content', migrations);
    const service = new ContentService(database);
    const forget = () => service.home.forget();
    return {
      handlers: { 'content:v1': handlers(service) },
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
      routes: (app) => contentRoutes(app, service, ctx.client),
      health: () => service.health(),
      stop: () => service.close(),
    };
  },
});
