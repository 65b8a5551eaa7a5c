/**
 * HTTP routes of the archive's structure and of what belongs to one viewer (mounted under
 * /api): events and their episodes, the next episode, history, watched marks, my list and the
 * viewer's settings. Every route needs an active user and acts for that user only; changes are
 * refused while auth answers from its cache only.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { requireUser, type BlockClient } from '../../orchestration/index.ts';
import { ViewerSettings } from '../../orchestration/contracts/content-v2.ts';
import { ContentErrors, type ContentItem } from './models.ts';
import type { ContentService } from './service.ts';

const IdParam = z.object({ id: z.string().min(1).max(300) });
const Page = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(20),
  offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
});
const EventsQuery = Page.extend({ catalog: z.string().max(100).optional() });
const Watched = z.strictObject({ watched: z.boolean() });

export function viewerRoutes(
  app: FastifyInstance,
  service: ContentService,
  client: BlockClient,
): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const read = { onRequest: requireUser() };
  const write = { onRequest: requireUser({ write: true }) };
  const via = (req: FastifyRequest) => client.withCorrelation(req.id);
  const me = (req: FastifyRequest) => req.session!.user.id;
  const { archive, viewers, watching } = service;
  const tags = ['viewer'];

  /** Items as a viewer sees them: without media_path, with their progress and list mark. */
  const forViewer = async <T extends ContentItem>(req: FastifyRequest, items: T[]) => {
    const ids = items.map((i) => i.id);
    const [progress, listed] = await Promise.all([
      watching.progressOf(me(req)),
      viewers.onList(me(req), ids),
    ]);
    const byId = new Map(progress.map((p) => [p.content_id, p]));
    return items.map(({ media_path: _hidden, ...item }) => ({
      ...item,
      progress: byId.get(item.id) ?? null,
      on_list: listed.has(item.id),
    }));
  };

  r.get('/events', { ...read, schema: { tags, querystring: EventsQuery } }, async (req) => {
    const { catalog, ...page } = req.query;
    return archive.events({ ...page, ...(catalog ? { catalog_id: catalog } : {}) });
  });

  r.get('/events/:id', { ...read, schema: { tags, params: IdParam } }, async (req) => {
    const found = await archive.event(req.params.id);
    if (!found) throw ContentErrors.eventNotFound(req.params.id);
    return { event: found.event, episodes: await forViewer(req, found.episodes) };
  });

  r.put(
    '/events/:id/watched',
    { ...write, schema: { tags, params: IdParam, body: Watched } },
    async (req) => {
      const done = await viewers.setEventWatched(
        me(req),
        req.params.id,
        req.body.watched,
        via(req),
      );
      if (!done) throw ContentErrors.eventNotFound(req.params.id);
      return done;
    },
  );

  r.get('/contents/:id/next', { ...read, schema: { tags, params: IdParam } }, async (req) => {
    const next = await archive.next(req.params.id);
    return { next: next ? (await forViewer(req, [next]))[0] : null };
  });

  r.put(
    '/watched/:id',
    { ...write, schema: { tags, params: IdParam, body: Watched } },
    async (req) => viewers.setWatched(me(req), req.params.id, req.body.watched, via(req)),
  );

  r.get('/history', { ...read, schema: { tags, querystring: Page } }, async (req) => {
    const page = await viewers.history(me(req), req.query);
    const items = page.items.map(({ media_path: _hidden, ...item }) => item);
    return { ...page, items };
  });

  r.delete('/history/:id', { ...write, schema: { tags, params: IdParam } }, async (req) =>
    viewers.forget(me(req), req.params.id),
  );

  r.get('/my-list', { ...read, schema: { tags, querystring: Page } }, async (req) => {
    const page = await viewers.list(me(req), req.query);
    return { ...page, items: await forViewer(req, page.items) };
  });

  r.put('/my-list/:id', { ...write, schema: { tags, params: IdParam } }, async (req) =>
    viewers.addToList(me(req), req.params.id),
  );

  r.delete('/my-list/:id', { ...write, schema: { tags, params: IdParam } }, async (req) =>
    viewers.removeFromList(me(req), req.params.id),
  );

  r.get('/viewer/settings', { ...read, schema: { tags } }, async (req) =>
    viewers.settings(me(req)),
  );

  r.patch(
    '/viewer/settings',
    { ...write, schema: { tags, body: ViewerSettings.partial().strict() } },
    async (req) => viewers.updateSettings(me(req), req.body),
  );
}
