/**
 * Who may play: a request carries either a bearer token (checked by the host's session
 * validator) or a signed media URL (checked here, against the auth sessions signed out and the
 * users suspended since it was signed, which `user_logout` and `user_suspended` report).
 */
import { createHash } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { bearerToken, isInfrastructureError, type BlockClient } from '../../orchestration/index.ts';
import type { MediaTokens } from './media-token.ts';
import { StreamErrors, type Viewer } from './models.ts';

/** The playback session of bearer requests: one per (auth session, content). */
export const bearerPlayback = (authSession: string, contentId: string) =>
  `b-${createHash('sha256').update(`${authSession}\0${contentId}`).digest('base64url').slice(0, 32)}`;

export class Access {
  /** Auth sessions signed out, users suspended (→ when): their media tokens are refused. */
  private readonly revoked = new Map<string, number>();
  private readonly suspended = new Map<string, number>();

  constructor(
    readonly tokens: MediaTokens,
    private readonly mediaUrlTtlMs: number,
  ) {}

  /** The viewer of a request to play `content_id`, or a 401/403 BlockError. */
  async viewer(req: FastifyRequest, content_id: string, st: string | undefined): Promise<Viewer> {
    if (st !== undefined) {
      const t = this.tokens.verify(st);
      if (!t.ok) throw StreamErrors.badMediaToken(t.why);
      const c = t.claims;
      if (c.content_id !== content_id) throw StreamErrors.badMediaToken('is for another video');
      if (this.revoked.has(c.auth_session_id)) throw StreamErrors.revoked();
      if (c.issued_at <= (this.suspended.get(c.user_id) ?? -Infinity))
        throw StreamErrors.inactive('suspended');
      return { ...c, media_token: true };
    }
    const token = bearerToken(req);
    if (!token) throw StreamErrors.noToken();
    const s = await req.server.sessions.authenticate(token, req.id);
    if (s.user.status !== 'active') throw StreamErrors.inactive(s.user.status);
    return {
      user_id: s.user.id,
      auth_session_id: s.session_id,
      content_id,
      session_id: bearerPlayback(s.session_id, content_id),
      media_token: false,
    };
  }

  /**
   * A media token's auth session must still be alive when its playback starts (events may be
   * missed).
   */
  async checkAuthSession(v: Viewer, via: BlockClient): Promise<void> {
    try {
      const [user, sessions] = await Promise.all([
        via.request('auth:v1', 'get_user', { user_id: v.user_id }),
        via.request('auth:v1', 'get_active_sessions', { user_id: v.user_id }),
      ]);
      if (user && user.status !== 'active') throw StreamErrors.inactive(user.status);
      if (!user || !sessions.some((s) => s.session_id === v.auth_session_id))
        throw StreamErrors.revoked();
    } catch (err) {
      if (!isInfrastructureError(err)) throw err;
      via.log.warn({ err }, 'auth unavailable: media token accepted on its signature');
    }
  }

  /** From now on, refuse the media tokens of this auth session or user. */
  revoke(what: 'session' | 'user', id: string): void {
    const map = what === 'session' ? this.revoked : this.suspended;
    const now = Date.now();
    // their tokens have expired
    for (const [k, at] of map) if (now - at > this.mediaUrlTtlMs) map.delete(k);
    map.set(id, now);
  }
}
