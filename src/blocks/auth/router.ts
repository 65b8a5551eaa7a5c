/**
 * HTTP API under /api/auth. Bodies are checked by zod schemas; rules beyond shape live in
 * accounts.ts and sessions.ts.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { BlockError, requireUser, User, type BlockClient } from '../../orchestration/index.ts';
import { Registration } from './accounts.ts';
import type { AuthService } from './service.ts';
import { TokenPair } from './sessions.ts';

const LoginBody = z.object({
  login: z.string().min(1).max(254),
  password: z.string().min(1).max(128),
});
const RefreshBody = z.object({ refresh_token: z.string().min(1).max(256) });

export function authRoutes(app: FastifyInstance, service: AuthService, client: BlockClient): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const bus = (req: FastifyRequest) => client.withCorrelation(req.id);

  r.post(
    '/auth/register',
    { schema: { body: Registration, response: { 201: User } } },
    async (req, reply) => reply.code(201).send(await service.accounts.register(req.body, bus(req))),
  );

  r.post(
    '/auth/login',
    { schema: { body: LoginBody, response: { 200: TokenPair } } },
    async (req, reply) => {
      try {
        return await service.sessions.login(req.body, req.ip, bus(req));
      } catch (err) {
        if (err instanceof BlockError && err.code === 'TOO_MANY_ATTEMPTS')
          reply.header(
            'retry-after',
            String((err.details as { retry_after_s: number }).retry_after_s),
          );
        throw err;
      }
    },
  );

  r.post(
    '/auth/refresh',
    { schema: { body: RefreshBody, response: { 200: TokenPair } } },
    async (req) => service.sessions.refresh(req.body.refresh_token, bus(req)),
  );

  r.post('/auth/logout', { preHandler: requireUser({ write: true }) }, async (req, reply) => {
    await service.sessions.logout(req.session!.user.id, req.session!.session_id, bus(req));
    return reply.code(204).send();
  });

  r.get(
    '/auth/me',
    { preHandler: requireUser(), schema: { response: { 200: User } } },
    async (req) => req.session!.user,
  );
}
