/**
 * The stream block: direct play of the original MP4s with HTTP Range (docs/blocks/03-stream.md).
 */
import { defineBlock } from '../../orchestration/index.ts';
import { streamRoutes } from './router.ts';
import { StreamService } from './service.ts';
import { readStreamSettings } from './settings.ts';

export default defineBlock({
  id: 'stream',
  name: 'Stream',
  version: '1.0.0',
  contracts: ['stream:v1'],
  dependencies: [{ contract: 'cache:v1' }, { contract: 'content:v1' }, { contract: 'auth:v1' }],
  endpoints: [
    '/api/stream/:contentId',
    '/api/stream/:contentId/info',
    '/api/stream/:contentId/stop',
  ],
  settings: (env) => readStreamSettings(env),
  async setup(ctx) {
    const service = await StreamService.create(ctx);
    return {
      handlers: { 'stream:v1': { get_active_streams: () => service.activeStreams() } },
      events: {
        user_logout: ({ session_id }) => service.revoke('session', session_id),
        user_suspended: ({ user_id }) => service.revoke('user', user_id),
        content_deleted: ({ content_id }) =>
          service.playbacks.endWhere((p) => p.content_id === content_id),
      },
      routes: (app) => streamRoutes(app, service),
      health: () => service.health(),
      stop: () => service.playbacks.close(),
    };
  },
});
