/**
 * HTTP routes (mounted under /api). Every route needs an active user; catalog writes need an
 * admin, progress writes any user; both are refused while auth answers from its cache only.
 * The guard runs on `onRequest`, so an anonymous caller gets 401 before any body is parsed.
 * media_path is shown to admins only.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { requireUser, type BlockClient } from '../../orchestration/index.ts';
import { ContentPatch, NewContent } from '../../orchestration/contracts/content.ts';
import { ContentErrors } from './models.ts';
import type { ContentService } from './service.ts';

const IdParam = z.object({ id: z.string().min(1).max(64) });
const ContentIdParam = z.object({ contentId: z.string().min(1).max(64) });
const ListQuery = z.object({
  /** Name or id; empty means every catalog. */
  catalog: z.string().max(100).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(20),
  offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
});
const ProgressBody = z.strictObject({
  position_seconds: z.number().min(0).max(1e7),
  duration_seconds: z.number().min(0).max(1e7),
});

/** Removes media_path unless the caller is an admin. */
function view<T extends { media_path: string }>(
  req: FastifyRequest,
  item: T,
): T | Omit<T, 'media_path'> {
  if (req.session!.user.role === 'admin') return item;
  const { media_path: _hidden, ...rest } = item;
  return rest;
}

export function contentRoutes(
  app: FastifyInstance,
  service: ContentService,
  client: BlockClient,
): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const read = { onRequest: requireUser() };
  const admin = { onRequest: requireUser({ admin: true, write: true }) };
  const write = { onRequest: requireUser({ write: true }) };
  const via = (req: FastifyRequest) => client.withCorrelation(req.id);
  const { reads, writes, watching, home } = service;
  /** The caller's progress on one item, or null. */
  const progressOf = async (req: FastifyRequest, contentId: string) =>
    (await watching.progressOf(req.session!.user.id, contentId))[0] ?? null;
  const tags = ['content'];
  r.get('/catalogs', { ...read, schema: { tags } }, async () => ({
    items: await reads.catalogs(),
  }));

  r.get('/contents', { ...read, schema: { tags, querystring: ListQuery } }, async (req) => {
    const page = await reads.list(req.query);
    return { ...page, items: page.items.map((c) => view(req, c)) };
  });

  r.get('/contents/:id', { ...read, schema: { tags, params: IdParam } }, async (req) => {
    const content = await reads.require(req.params.id);
    const [progress, placed, listed] = await Promise.all([
      progressOf(req, content.id),
      service.archive.get(content.id),
      service.viewers.onList(req.session!.user.id, [content.id]),
    ]);
    return {
      ...view(req, content),
      progress,
      structure: placed?.structure ?? null,
      on_list: listed.has(content.id),
    };
  });

  r.post(
    '/contents',
    { ...admin, schema: { tags, body: NewContent.strict() } },
    async (req, reply) => {
      const { content, created } = await writes.create(req.body, via(req));
      if (!created) throw ContentErrors.exists(content.media_path, content.id);
      return reply.code(201).send(content);
    },
  );

  r.patch(
    '/contents/:id',
    { ...admin, schema: { tags, params: IdParam, body: ContentPatch.strict() } },
    async (req) => writes.update(req.params.id, req.body, via(req)),
  );

  r.delete('/contents/:id', { ...admin, schema: { tags, params: IdParam } }, async (req, reply) => {
    if (!(await writes.remove(req.params.id, via(req))))
      throw ContentErrors.notFound(req.params.id);
    return reply.code(204).send();
  });

  r.get('/home', { ...read, schema: { tags } }, async (req) => {
    const { hero, rows } = await home.of(req.session!.user.id);
    return {
      hero: hero && view(req, hero),
      rows: rows.map((row) => ({ ...row, items: row.items.map((c) => view(req, c)) })),
    };
  });

  r.put(
    '/progress/:contentId',
    { ...write, schema: { tags, params: ContentIdParam, body: ProgressBody } },
    async (req) =>
      watching.saveProgress(
        { user_id: req.session!.user.id, content_id: req.params.contentId, ...req.body },
        via(req),
      ),
  );

  r.get(
    '/progress/:contentId',
    { ...read, schema: { tags, params: ContentIdParam } },
    async (req) => {
      await reads.require(req.params.contentId);
      return { progress: await progressOf(req, req.params.contentId) };
    },
  );
}
