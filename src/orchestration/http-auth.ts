/**
 * Route guards for block routers. `requireUser()` checks the bearer token (or, for media URLs
 * that a <video> element requests, a `token` query parameter when the route allows it) through
 * the process-wide SessionValidator, and refuses with a stable code:
 *   401 UNAUTHORIZED        no token, or auth says it is invalid/expired/revoked
 *   403 ACCOUNT_<STATUS>    the account is not active (AccountCodes: pending approval, rejected,
 *                           suspended)
 *   403 FORBIDDEN           an admin route and the caller is not an admin
 *   503 READ_ONLY           auth is down and the route writes (cached sessions only read)
 *   503 AUTH_UNAVAILABLE    auth is down and this token was not seen recently
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AccountCodes, type User } from './contracts/auth.ts';
import { BlockError } from './errors.ts';

/** Who is calling, as the guard needs to know it (the host's session validator provides it). */
export interface Session {
  user: User;
  session_id: string;
  /** True when sign-in is unavailable and this answer came from a cache: refuse writes. */
  readOnly: boolean;
}

/** Turns a token into a session or throws 401; installed on the HTTP server by the host. */
export interface SessionAuthenticator {
  authenticate(token: string, correlationId: string): Promise<Session>;
}

declare module 'fastify' {
  interface FastifyInstance {
    sessions: SessionAuthenticator;
  }
  interface FastifyRequest {
    session?: Session;
  }
}

export interface GuardOptions {
  /** Only admins may pass. */
  admin?: boolean;
  /** The route changes data: refused while auth answers from its cache only. */
  write?: boolean;
  /** Also accept `?token=` (for URLs that media elements fetch without headers). */
  queryToken?: boolean;
}

export function installSessions(app: FastifyInstance, sessions: SessionAuthenticator): void {
  app.decorate('sessions', sessions);
  app.decorateRequest('session', undefined);
}

export function bearerToken(req: FastifyRequest, allowQuery = false): string | undefined {
  const h = req.headers.authorization;
  if (typeof h === 'string' && h.startsWith('Bearer ')) return h.slice(7).trim() || undefined;
  if (allowQuery) {
    const q = (req.query as Record<string, unknown> | undefined)?.token;
    if (typeof q === 'string' && q.length > 0 && q.length <= 4096) return q;
  }
  return undefined;
}

export function requireUser(opts: GuardOptions = {}) {
  return async (req: FastifyRequest, _reply: FastifyReply): Promise<void> => {
    const token = bearerToken(req, opts.queryToken);
    if (!token)
      throw new BlockError('UNAUTHORIZED', 'sign in first: no access token was sent', {
        status: 401,
      });
    const session = await req.server.sessions.authenticate(token, req.id);
    const { user } = session;
    if (user.status !== 'active') {
      throw new BlockError(
        AccountCodes[user.status],
        accountMessage(user.status, user.status_reason),
        { status: 403 },
      );
    }
    if (opts.admin && user.role !== 'admin')
      throw new BlockError('FORBIDDEN', 'this needs an administrator', { status: 403 });
    if (opts.write && session.readOnly) {
      throw new BlockError(
        'READ_ONLY',
        'WSOPTV is read-only for a moment because sign-in is unavailable; your change was not saved, please retry shortly',
        { status: 503, retryable: true },
      );
    }
    req.session = session;
  };
}

function accountMessage(status: string, reason: string | null): string {
  if (status === 'pending_approval')
    return 'your account is waiting for an administrator to approve it';
  if (status === 'rejected') return `your registration was declined${reason ? `: ${reason}` : ''}`;
  if (status === 'suspended') return `your account is suspended${reason ? `: ${reason}` : ''}`;
  return `your account is ${status}`;
}
