/**
 * Sign-in and sessions: a session row per sign-in, an access token naming it, and a refresh
 * token that rotates on every use. Logout and suspension end a session in its row, so every
 * process refuses it at once.
 */
import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import { z } from 'zod';
import { AccountCodes, User, type BlockClient } from '../../orchestration/index.ts';
import type { ActionOutput } from '../../orchestration/contracts/define.ts';
import { toIsoString } from '../../platform/database/index.ts';
import type { Accounts } from './accounts.ts';
import { LoginLimiter } from './limiter.ts';
import { authError, toUser, type AuthDB, type Status, type UserRow } from './models.ts';
import { dummyHash, verifyPassword } from './passwords.ts';
import type { AuthSettings } from './settings.ts';
import { newRefreshToken, sha256, type Tokens } from './tokens.ts';

/** What sign-in and refresh answer (also the HTTP response schema). */
export const TokenPair = z.object({
  access_token: z.string(),
  refresh_token: z.string(),
  token_type: z.literal('Bearer'),
  expires_in: z.number().int(),
  user: User,
});
export type TokenPair = z.infer<typeof TokenPair>;

/** Told only to someone who gave the right password. */
const statusError = (u: UserRow) =>
  authError(
    AccountCodes[u.status as Exclude<Status, 'active'>],
    u.status === 'pending_approval'
      ? 'your account is waiting for an administrator to approve it'
      : `your account is ${u.status}${u.status_reason ? `: ${u.status_reason}` : ''}`,
  );

export class Sessions {
  private readonly limiter: LoginLimiter;
  /** Compared against when the login name is unknown, so that takes as long as a wrong password. */
  private readonly dummy: string;
  private readonly refreshTtlMs: number;

  constructor(
    private readonly db: Kysely<AuthDB>,
    private readonly accounts: Accounts,
    private readonly tokens: Tokens,
    private readonly settings: AuthSettings,
    private readonly log: Logger,
  ) {
    this.limiter = new LoginLimiter(db, settings.loginMaxFailures, settings.loginWindowMs);
    this.dummy = dummyHash(settings.bcryptCost);
    this.refreshTtlMs = settings.refreshTokenTtlS * 1000;
  }

  async login(
    input: { login: string; password: string },
    ip: string,
    bus: BlockClient,
  ): Promise<TokenPair> {
    const name = input.login.trim().toLowerCase();
    const user = await this.accounts.findByLogin(name);
    const accountKey = user ? `user:${user.id}` : `name:${name}`;
    const attempt = await this.limiter.begin(accountKey, ip);
    const ok = await verifyPassword(input.password, user?.password_hash ?? this.dummy);
    if (!user || !ok) throw authError('INVALID_CREDENTIALS', 'wrong email, username or password');
    await this.limiter.succeeded(attempt, accountKey);
    if (user.status !== 'active') throw statusError(user);
    const now = Date.now();
    user.last_login_at = now;
    await this.db
      .updateTable('users')
      .set({ last_login_at: now })
      .where('id', '=', user.id)
      .execute();
    // Housekeeping: this user's finished sessions are of no further use.
    await this.db
      .deleteFrom('sessions')
      .where('user_id', '=', user.id)
      .where((eb) => eb.or([eb('expires_at', '<', now), eb('revoked_at', 'is not', null)]))
      .execute();
    const refresh = newRefreshToken();
    const sessionId = randomUUID();
    await this.db
      .insertInto('sessions')
      .values({
        id: sessionId,
        user_id: user.id,
        refresh_hash: sha256(refresh),
        prev_refresh_hash: null,
        created_at: now,
        expires_at: now + this.refreshTtlMs,
        revoked_at: null,
        client_ip: ip,
      })
      .execute();
    this.log.info({ user_id: user.id, session_id: sessionId }, 'user signed in');
    await bus.publishOrLog('user_login', { user_id: user.id, session_id: sessionId });
    return this.pair(user, sessionId, refresh);
  }

  /** Rotation: the presented refresh token is replaced; only one of two concurrent uses wins. */
  async refresh(token: string, bus: BlockClient): Promise<TokenPair> {
    const now = Date.now();
    const hash = sha256(token);
    const next = newRefreshToken();
    const session = await this.db
      .updateTable('sessions')
      .set({
        refresh_hash: sha256(next),
        prev_refresh_hash: hash,
        expires_at: now + this.refreshTtlMs,
      })
      .where('refresh_hash', '=', hash)
      .where('revoked_at', 'is', null)
      .where('expires_at', '>', now)
      .returning(['id', 'user_id'])
      .executeTakeFirst();
    const user = session && (await this.accounts.find('id', session.user_id));
    if (!session || user?.status !== 'active') {
      await this.revokeReused(hash, bus);
      throw authError(
        'INVALID_REFRESH_TOKEN',
        'the refresh token is invalid, expired or already used',
      );
    }
    return this.pair(user, session.id, next);
  }

  async logout(userId: string, sessionId: string, bus: BlockClient): Promise<void> {
    await this.db
      .updateTable('sessions')
      .set({ revoked_at: Date.now() })
      .where('id', '=', sessionId)
      .where('revoked_at', 'is', null)
      .execute();
    this.log.info({ user_id: userId, session_id: sessionId }, 'user signed out');
    await bus.publishOrLog('user_logout', { user_id: userId, session_id: sessionId });
  }

  /** The user and session of a valid access token whose session is live; null otherwise. */
  async validate(token: string): Promise<ActionOutput<'auth:v1', 'validate_token'>> {
    const claims = await this.tokens.verify(token);
    if (!claims) return null;
    const row = await this.db
      .selectFrom('sessions')
      .innerJoin('users', 'users.id', 'sessions.user_id')
      .selectAll('users')
      .where('sessions.id', '=', claims.sid)
      .where('sessions.user_id', '=', claims.sub)
      .where('sessions.revoked_at', 'is', null)
      .where('sessions.expires_at', '>', Date.now())
      .executeTakeFirst();
    return row
      ? { user: toUser(row), session_id: claims.sid, expires_at: toIsoString(claims.exp * 1000) }
      : null;
  }

  /** Live sessions (of one user, or everyone's), newest first, at most 500. */
  async active(userId?: string) {
    let q = this.db
      .selectFrom('sessions')
      .selectAll()
      .where('revoked_at', 'is', null)
      .where('expires_at', '>', Date.now());
    if (userId) q = q.where('user_id', '=', userId);
    const rows = await q.orderBy('created_at', 'desc').limit(500).execute();
    return rows.map((s) => ({
      session_id: s.id,
      user_id: s.user_id,
      created_at: toIsoString(s.created_at),
      expires_at: toIsoString(s.expires_at),
      client_ip: s.client_ip,
    }));
  }

  private async pair(user: UserRow, sessionId: string, refresh: string): Promise<TokenPair> {
    return {
      access_token: await this.tokens.sign(user.id, sessionId, user.role),
      refresh_token: refresh,
      token_type: 'Bearer',
      expires_in: this.settings.accessTokenTtlS,
      user: toUser(user),
    };
  }

  /** A rotated refresh token came back: someone holds a copy, so the whole session ends. */
  private async revokeReused(hash: string, bus: BlockClient): Promise<void> {
    const s = await this.db
      .updateTable('sessions')
      .set({ revoked_at: Date.now() })
      .where('prev_refresh_hash', '=', hash)
      .where('revoked_at', 'is', null)
      .returning(['id', 'user_id'])
      .executeTakeFirst();
    if (!s) return;
    this.log.warn(
      { user_id: s.user_id, session_id: s.id },
      'a rotated refresh token was reused: session revoked',
    );
    await bus.publishOrLog('user_logout', { user_id: s.user_id, session_id: s.id });
  }
}
