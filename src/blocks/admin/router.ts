/**
 * HTTP routes under /api/admin. Every route needs an active admin (requireUser validates the
 * token through auth:v1: 401 without one, 403 for anyone else); routes that change something
 * are also refused while auth answers from its cache only, and ask auth:v1 check_permission
 * (in the service) before acting. The guard runs on `onRequest`, before any body is parsed.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  Job,
  JobStatus,
  requireUser,
  User,
  UserStatus,
  type BlockClient,
} from '../../orchestration/index.ts';
import type { Actor } from './audit.ts';
import type { AdminService } from './service.ts';
import {
  AuditPage,
  Cache,
  DeadLetters,
  ErrorBody,
  JobsPage,
  Replayed,
  StatusReport,
  Streams,
  UsersPage,
} from './responses.ts';
import type { SystemProbe } from './status.ts';

const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 503: ErrorBody };
const IdParam = z.object({ id: z.string().min(1).max(64) });
const page = z.coerce.number().int().min(1).max(1_000_000).default(1);
const limit = (def: number) => z.coerce.number().int().min(1).max(100).default(def);
const Reason = z.string().trim().min(1).max(500);

const UsersQuery = z.object({ status: UserStatus.optional(), page, limit: limit(20) });
const JobsQuery = z.object({
  status: JobStatus.optional(),
  limit: limit(20),
  offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
});

export function adminRoutes(
  app: FastifyInstance,
  service: AdminService,
  probe: SystemProbe,
  client: BlockClient,
): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const read = { onRequest: requireUser({ admin: true }) };
  const change = { onRequest: requireUser({ admin: true, write: true }) };
  const via = (req: FastifyRequest) => client.withCorrelation(req.id);
  const actor = (req: FastifyRequest): Actor => ({
    id: req.session!.user.id,
    username: req.session!.user.username,
    ip: req.ip ?? null,
  });
  const tags = ['admin'];
  const doc = <S extends object>(summary: string, schema: S) => ({ tags, summary, ...schema });

  r.get(
    '/admin/status',
    {
      ...read,
      schema: doc(
        'Blocks, breakers, bus, CPU, memory and disks; answers in < 500 ms whatever is down',
        { response: { 200: StatusReport, ...errors } },
      ),
    },
    (req) => probe.report(via(req)),
  );

  r.get(
    '/admin/users',
    {
      ...read,
      schema: doc('Users, by status, paged (auth:v1 list_users)', {
        querystring: UsersQuery,
        response: { 200: UsersPage, ...errors },
      }),
    },
    (req) => service.listUsers(via(req), req.query),
  );
  const user = { params: IdParam, response: { 200: User, ...errors } };
  r.post(
    '/admin/users/:id/approve',
    { ...change, schema: doc('Approve a pending registration (audited)', user) },
    (req) => service.manageUser(via(req), actor(req), 'approve', req.params.id),
  );
  r.post(
    '/admin/users/:id/reject',
    {
      ...change,
      schema: doc('Reject a registration with a reason (audited)', {
        ...user,
        body: z.strictObject({ reason: Reason }),
      }),
    },
    (req) => service.manageUser(via(req), actor(req), 'reject', req.params.id, req.body.reason),
  );
  r.post(
    '/admin/users/:id/suspend',
    {
      ...change,
      schema: doc('Suspend an account, optionally with a reason (audited)', {
        ...user,
        body: z.strictObject({ reason: Reason.optional() }).nullish(),
      }),
    },
    (req) => service.manageUser(via(req), actor(req), 'suspend', req.params.id, req.body?.reason),
  );

  r.get(
    '/admin/streams',
    {
      ...read,
      schema: doc('Active playback sessions with user and title', {
        response: { 200: Streams, ...errors },
      }),
    },
    (req) => service.streams(via(req)),
  );
  r.get(
    '/admin/cache',
    {
      ...read,
      schema: doc('Hit rate per tier, SSD usage, hot videos', {
        response: { 200: Cache, ...errors },
      }),
    },
    (req) => service.cache(via(req)),
  );

  r.get(
    '/admin/jobs',
    {
      ...read,
      schema: doc('Background jobs, newest first, with queue counts', {
        querystring: JobsQuery,
        response: { 200: JobsPage, ...errors },
      }),
    },
    (req) => service.jobs(via(req), req.query),
  );
  r.get(
    '/admin/jobs/:id',
    {
      ...read,
      schema: doc("One job (poll for a scan's progress)", {
        params: IdParam,
        response: { 200: Job, ...errors },
      }),
    },
    (req) => service.job(via(req), req.params.id),
  );
  r.post(
    '/admin/jobs/:id/retry',
    {
      ...change,
      schema: doc('Retry a failed job (audited)', {
        params: IdParam,
        response: { 200: Job, ...errors },
      }),
    },
    (req) => service.retry(via(req), actor(req), req.params.id),
  );
  r.post(
    '/admin/library/scan',
    {
      ...change,
      schema: doc('Queue a library scan at high priority (audited); poll GET /admin/jobs/:id', {
        response: { 202: Job, ...errors },
      }),
    },
    async (req, reply) => reply.code(202).send(await service.scan(via(req), actor(req))),
  );

  r.get(
    '/admin/audit',
    {
      ...read,
      schema: doc('The audit log, newest first', {
        querystring: z.object({ page, limit: limit(50) }),
        response: { 200: AuditPage, ...errors },
      }),
    },
    (req) => service.audit.page(req.query.page, req.query.limit),
  );
  r.get(
    '/admin/dead-letters',
    {
      ...read,
      schema: doc('Domain events given up after repeated handler failures, newest first', {
        querystring: z.object({ limit: limit(50) }),
        response: { 200: DeadLetters, ...errors },
      }),
    },
    (req) => probe.deadLetters(req.query.limit),
  );
  const Letter = z.strictObject({
    channel: z.string().min(1).max(128),
    group: z.string().min(1).max(128),
    id: z.string().min(1).max(64),
  });
  r.post(
    '/admin/dead-letters/replay',
    {
      ...change,
      schema: doc('Give a dead-lettered event back to the block that failed on it (audited)', {
        body: Letter,
        response: { 200: Replayed, ...errors },
      }),
    },
    (req) =>
      service.replay(via(req), actor(req), req.body, (c, g, id) =>
        probe.replayDeadLetter(c, g, id),
      ),
  );
}
