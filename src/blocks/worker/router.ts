/**
 * HTTP routes (mounted under /api): the thumbnails. They are public: an <img> cannot send a bearer
 * header, and the URL holds the content's unguessable UUID, which only signed-in users ever see; a
 * thumbnail reveals no more than the catalog card it sits on.
 *
 * Job administration over HTTP (`/api/admin/jobs`, `/api/admin/jobs/:id/retry`,
 * `/api/admin/library/scan`) belongs to the admin block, which checks the admin and writes the
 * audit log, then calls worker:v1. Declaring them here too would stop a process that hosts both
 * blocks from starting (Fastify refuses a route declared twice).
 */
import { readFile, stat } from 'node:fs/promises';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { realPathUnder } from '../../platform/paths.ts';
import { SAFE_ID } from './jobs/index.ts';
import { WorkerErrors } from './models.ts';

export function workerRoutes(app: FastifyInstance, thumbnailDir: string): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  r.get(
    '/thumbnails/:contentId.jpg',
    { schema: { tags: ['worker'], params: z.object({ contentId: z.string() }) } },
    async (req, reply) => {
      if (!SAFE_ID.test(req.params.contentId)) throw WorkerErrors.thumbnailNotFound();
      const file = await realPathUnder(thumbnailDir, `${req.params.contentId}.jpg`).catch(() => {
        throw WorkerErrors.thumbnailNotFound();
      });
      const s = await stat(file);
      const etag = `"${s.size.toString(36)}-${Math.floor(s.mtimeMs).toString(36)}"`;
      // A new thumbnail keeps its URL: browsers may reuse one for an hour, then revalidate cheaply.
      reply
        .header('cache-control', 'public, max-age=3600')
        .header('etag', etag)
        .header('last-modified', s.mtime.toUTCString());
      const asked = String(req.headers['if-none-match'] ?? '')
        .split(',')
        .map((t) => t.trim().replace(/^W\//, ''));
      if (asked.includes(etag) || asked.includes('*')) return reply.code(304).send();
      return reply.type('image/jpeg').send(await readFile(file));
    },
  );
}
