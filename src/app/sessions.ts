/**
 * Who is calling: every block's HTTP routes ask this one validator, which asks the auth block
 * (auth:v1 validate_token) and keeps recent answers. The kept answers are the "auth down →
 * cached sessions, read-only" fallback of the spec: while auth cannot answer, a token that was
 * valid a short while ago still reads, and anything that writes is refused with 503.
 * Logout and suspension events remove kept answers at once, so a revoked token never comes
 * back through the cache.
 */
import type { BlockClient } from '../orchestration/client.ts';
import type { User } from '../orchestration/contracts/auth.ts';
import { BlockError } from '../orchestration/errors.ts';
import type { Session, SessionAuthenticator } from '../orchestration/http-auth.ts';

export type { Session };

interface Kept {
  user: User;
  session_id: string;
  expires_at: number;
  kept_at: number;
}

export interface SessionValidatorOptions {
  /** Most tokens kept (least recently used leave first). */
  max?: number;
  /** How long a kept answer may stand in for auth. */
  maxAgeMs?: number;
}

export class SessionValidator implements SessionAuthenticator {
  private readonly kept = new Map<string, Kept>();
  private readonly max: number;
  private readonly maxAgeMs: number;

  constructor(
    private readonly client: BlockClient,
    opts: SessionValidatorOptions = {},
  ) {
    this.max = opts.max ?? 10_000;
    this.maxAgeMs = opts.maxAgeMs ?? 15 * 60_000;
  }

  async authenticate(token: string, correlationId: string): Promise<Session> {
    let fromCache = false;
    const answer = await this.client.withCorrelation(correlationId).request(
      'auth:v1',
      'validate_token',
      { token },
      {
        fallback: (_input, failure) => {
          const k = this.fresh(token);
          if (!k) {
            throw new BlockError(
              'AUTH_UNAVAILABLE',
              'sign-in is temporarily unavailable; please try again shortly',
              { status: 503, retryable: true, cause: failure },
            );
          }
          fromCache = true;
          return {
            user: k.user,
            session_id: k.session_id,
            expires_at: new Date(k.expires_at).toISOString(),
          };
        },
      },
    );
    if (!answer) {
      this.kept.delete(token);
      throw new BlockError('UNAUTHORIZED', 'the access token is invalid, expired or revoked', {
        status: 401,
      });
    }
    if (!fromCache) this.keep(token, answer.user, answer.session_id, Date.parse(answer.expires_at));
    return { user: answer.user, session_id: answer.session_id, readOnly: fromCache };
  }

  forgetSession(sessionId: string): void {
    for (const [token, k] of this.kept) if (k.session_id === sessionId) this.kept.delete(token);
  }

  forgetUser(userId: string): void {
    for (const [token, k] of this.kept) if (k.user.id === userId) this.kept.delete(token);
  }

  get size(): number {
    return this.kept.size;
  }

  private keep(token: string, user: User, session_id: string, expires_at: number): void {
    this.kept.delete(token); // re-insert: Map order is our recency order
    this.kept.set(token, { user, session_id, expires_at, kept_at: Date.now() });
    if (this.kept.size > this.max) this.kept.delete(this.kept.keys().next().value!);
  }

  private fresh(token: string): Kept | undefined {
    const k = this.kept.get(token);
    if (!k) return undefined;
    const now = Date.now();
    if (now - k.kept_at > this.maxAgeMs || now >= k.expires_at) {
      this.kept.delete(token);
      return undefined;
    }
    return k;
  }
}
