/**
 * HTTP routes (mounted under /api). The media route takes a bearer token or `?st=` (a signed
 * media URL from /info); /info needs a bearer token of an active user. Every rule of the
 * answers is in docs/blocks/03-stream.md.
 */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { requireUser } from '../../orchestration/index.ts';
import type { StreamService } from './service.ts';

const params = z.object({ contentId: z.string().min(1).max(64) });
const querystring = z.object({ st: z.string().min(1).max(1024).optional() });
const tags = ['stream'];

export function streamRoutes(app: FastifyInstance, service: StreamService): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  r.route({
    method: ['GET', 'HEAD'],
    url: '/stream/:contentId',
    schema: { tags, params, querystring },
    handler: (req, reply) => service.play(req, reply, req.params.contentId, req.query.st),
  });
  r.get('/stream/:contentId/info', { onRequest: requireUser(), schema: { tags, params } }, (req) =>
    service.info(req, req.params.contentId),
  );
  r.post(
    '/stream/:contentId/stop',
    { schema: { tags, params, querystring } },
    async (req, reply) => {
      await service.stop(req, req.params.contentId, req.query.st);
      return reply.code(204).send();
    },
  );
}
