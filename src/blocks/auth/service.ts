/**
 * Accounts, sessions and tokens. Every check that matters to other processes (revoked
 * sessions, rate limits, the signing secret) lives in the database, never in memory, so any
 * number of auth processes agree.
 */
import { randomUUID } from 'node:crypto';
import { databaseHealth } from '../../platform/database/index.ts';
import type { Logger } from 'pino';
import type {
  BlockClient,
  BlockSetupContext,
  ContractHandlers,
  EventName,
  EventPayload,
  HealthReport,
  User,
} from '../../orchestration/index.ts';
import {
  isUniqueViolation,
  openDatabaseFor,
  toIsoString,
  type BlockDatabase,
} from '../../platform/database/index.ts';
import { LoginLimiter } from './limiter.ts';
import { migrations } from './migrations.ts';
import {
  TRANSITIONS,
  USER_PERMISSIONS,
  authError,
  toUser,
  type AuthDB,
  type StatusAction,
  type TokenPair,
  type UserRow,
} from './models.ts';
import { dummyHash, hashPassword, passwordProblem, verifyPassword } from './passwords.ts';
import type { AuthSettings, FirstAdmin } from './settings.ts';
import { Tokens, newRefreshToken, sha256, signingKey } from './tokens.ts';

export interface Registration {
  email: string;
  username: string;
  password: string;
  full_name?: string | null;
}

/** Publishes an event; a bus failure is logged, never turned into a failed request (the data is already saved). */
async function emit<E extends EventName>(
  bus: BlockClient,
  event: E,
  payload: EventPayload<E>,
): Promise<void> {
  await bus
    .publish(event, payload)
    .catch((err: unknown) => bus.log.warn({ err, event }, 'could not publish event'));
}

const statusError = (u: UserRow) =>
  authError(
    `ACCOUNT_${u.status.toUpperCase()}` as 'ACCOUNT_SUSPENDED',
    u.status === 'pending_approval'
      ? 'your account is waiting for an administrator to approve it'
      : `your account is ${u.status}${u.status_reason ? `: ${u.status_reason}` : ''}`,
  );

export class AuthService {
  private readonly limiter: LoginLimiter;
  private readonly dummy: string;

  private constructor(
    private readonly store: BlockDatabase<AuthDB>,
    private readonly cfg: AuthSettings,
    private readonly tokens: Tokens,
    private readonly log: Logger,
  ) {
    this.limiter = new LoginLimiter(store.db, cfg.loginMaxFailures, cfg.loginWindowMs);
    this.dummy = dummyHash(cfg.bcryptCost);
  }

  static async open(
    ctx: Pick<BlockSetupContext<AuthSettings>, 'settings' | 'shared' | 'log'>,
  ): Promise<AuthService> {
    const store = await openDatabaseFor<AuthDB>(ctx.shared, 'auth');
    try {
      await store.migrate(migrations);
      const service = new AuthService(
        store,
        ctx.settings,
        new Tokens(
          await signingKey(store.db, ctx.settings.jwtSecret),
          ctx.settings.accessTokenTtlS,
        ),
        ctx.log,
      );
      if (ctx.settings.admin) await service.ensureAdmin(ctx.settings.admin);
      return service;
    } catch (err) {
      await store.close();
      throw err;
    }
  }

  private get db() {
    return this.store.db;
  }

  /** Creates the configured first admin unless that email exists; concurrent starts insert at most one. */
  private async ensureAdmin(admin: FirstAdmin): Promise<void> {
    const email = admin.email.toLowerCase();
    if (await this.findBy('email', email)) return;
    const weak = passwordProblem(admin.password);
    if (weak) throw new Error(`WSOPTV_ADMIN_PASSWORD is too weak: ${weak.message}`);
    const now = Date.now();
    const row = this.newRow(
      { email, username: admin.username, full_name: null },
      await hashPassword(admin.password, this.cfg.bcryptCost),
      now,
    );
    await this.db
      .insertInto('users')
      .values({ ...row, role: 'admin', status: 'active', approved_at: now })
      .onConflict((oc) => oc.doNothing())
      .execute();
    const found = await this.findBy('email', email);
    if (found) this.log.info({ user_id: found.id }, 'first administrator is present');
    else
      this.log.warn(
        { username: admin.username },
        'first administrator not created: the username belongs to another account',
      );
  }

  private newRow(r: Omit<Registration, 'password'>, passwordHash: string, now: number): UserRow {
    const fullName = r.full_name?.trim();
    return {
      id: randomUUID(),
      email: r.email.trim().toLowerCase(),
      username: r.username,
      username_key: r.username.toLowerCase(),
      full_name: fullName || null,
      password_hash: passwordHash,
      role: 'user',
      status: 'pending_approval',
      status_reason: null,
      created_at: now,
      approved_at: null,
      last_login_at: null,
    };
  }

  private findBy(
    column: 'id' | 'email' | 'username_key',
    value: string,
  ): Promise<UserRow | undefined> {
    return this.db.selectFrom('users').selectAll().where(column, '=', value).executeTakeFirst();
  }

  private async whichTaken(row: UserRow): Promise<void> {
    if (await this.findBy('email', row.email))
      throw authError('EMAIL_TAKEN', 'an account with this email already exists');
    if (await this.findBy('username_key', row.username_key))
      throw authError('USERNAME_TAKEN', 'this username is already taken');
  }

  async register(input: Registration, bus: BlockClient): Promise<User> {
    const weak = passwordProblem(input.password);
    if (weak) throw authError('WEAK_PASSWORD', weak.message, { rules: weak.rules });
    const row = this.newRow(input, '', Date.now());
    await this.whichTaken(row); // cheap check before paying for bcrypt; the unique indexes settle races
    row.password_hash = await hashPassword(input.password, this.cfg.bcryptCost);
    try {
      await this.db.insertInto('users').values(row).execute();
    } catch (err) {
      if (isUniqueViolation(err)) await this.whichTaken(row);
      throw err;
    }
    this.log.info({ user_id: row.id }, 'user registered');
    await emit(bus, 'user_registered', {
      user_id: row.id,
      email: row.email,
      username: row.username,
    });
    return toUser(row);
  }

  async login(
    input: { login: string; password: string },
    ip: string,
    bus: BlockClient,
  ): Promise<TokenPair> {
    const name = input.login.trim().toLowerCase();
    // Usernames cannot contain "@", so the login name says which column to look in.
    const user = await this.findBy(name.includes('@') ? 'email' : 'username_key', name);
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
        expires_at: now + this.cfg.refreshTokenTtlS * 1000,
        revoked_at: null,
        client_ip: ip,
      })
      .execute();
    this.log.info({ user_id: user.id, session_id: sessionId }, 'user signed in');
    await emit(bus, 'user_login', { user_id: user.id, session_id: sessionId });
    return this.pair(user, sessionId, refresh);
  }

  private async pair(user: UserRow, sessionId: string, refresh: string): Promise<TokenPair> {
    const access = await this.tokens.sign(user.id, sessionId, user.role);
    return {
      access_token: access,
      refresh_token: refresh,
      token_type: 'Bearer',
      expires_in: this.cfg.accessTokenTtlS,
      user: toUser(user),
    };
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
        expires_at: now + this.cfg.refreshTokenTtlS * 1000,
      })
      .where('refresh_hash', '=', hash)
      .where('revoked_at', 'is', null)
      .where('expires_at', '>', now)
      .returning(['id', 'user_id'])
      .executeTakeFirst();
    const user = session && (await this.findBy('id', session.user_id));
    if (!session || user?.status !== 'active') {
      await this.revokeReused(hash, bus);
      throw authError(
        'INVALID_REFRESH_TOKEN',
        'the refresh token is invalid, expired or already used',
      );
    }
    return this.pair(user, session.id, next);
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
    await emit(bus, 'user_logout', { user_id: s.user_id, session_id: s.id });
  }

  async logout(userId: string, sessionId: string, bus: BlockClient): Promise<void> {
    await this.db
      .updateTable('sessions')
      .set({ revoked_at: Date.now() })
      .where('id', '=', sessionId)
      .where('revoked_at', 'is', null)
      .execute();
    this.log.info({ user_id: userId, session_id: sessionId }, 'user signed out');
    await emit(bus, 'user_logout', { user_id: userId, session_id: sessionId });
  }

  async validate(
    token: string,
  ): Promise<{ user: User; session_id: string; expires_at: string } | null> {
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

  private async changeStatus(
    action: StatusAction,
    input: { user_id: string; by: string; reason?: string },
    bus: BlockClient,
  ): Promise<User> {
    const actor = await this.findBy('id', input.by);
    if (actor?.role !== 'admin' || actor.status !== 'active')
      throw authError('FORBIDDEN', 'only an active administrator may change an account status');
    if (input.by === input.user_id)
      throw authError(
        'CANNOT_MANAGE_SELF',
        'administrators cannot change the status of their own account',
      );
    const { to, from } = TRANSITIONS[action];
    const now = Date.now();
    const changed = await this.db.transaction().execute(async (trx) => {
      const res = await trx
        .updateTable('users')
        .set({
          status: to,
          status_reason: input.reason ?? null,
          ...(to === 'active' ? { approved_at: now } : {}),
        })
        .where('id', '=', input.user_id)
        .where('status', 'in', from)
        .executeTakeFirst();
      if (res.numUpdatedRows === 0n) return false;
      if (to === 'suspended')
        await trx
          .updateTable('sessions')
          .set({ revoked_at: now })
          .where('user_id', '=', input.user_id)
          .where('revoked_at', 'is', null)
          .execute();
      return true;
    });
    const user = await this.findBy('id', input.user_id);
    if (!user) throw authError('USER_NOT_FOUND', `no user ${input.user_id}`);
    // Asking for the status the user already has is answered, not refused: callers may retry.
    if (!changed && user.status !== to)
      throw authError(
        'INVALID_STATUS_CHANGE',
        `a user whose status is ${user.status} cannot become ${to}`,
      );
    if (changed) {
      this.log.info({ user_id: user.id, by: input.by, status: to }, 'account status changed');
      const reason = input.reason ?? null;
      if (action === 'approve_user')
        await emit(bus, 'user_approved', { user_id: user.id, by: input.by });
      else
        await emit(bus, action === 'reject_user' ? 'user_rejected' : 'user_suspended', {
          user_id: user.id,
          by: input.by,
          reason,
        });
    }
    return toUser(user);
  }

  handlers(): ContractHandlers<'auth:v1'> {
    const permission = (allowed: boolean, reason: string | null = null) => ({ allowed, reason });
    return {
      validate_token: ({ token }) => this.validate(token),
      get_user: async ({ user_id }) => {
        const row = await this.findBy('id', user_id);
        return row ? toUser(row) : null;
      },
      check_permission: async ({ user_id, resource, action, owner_id }) => {
        const u = await this.findBy('id', user_id);
        if (!u) return permission(false, 'unknown user');
        if (u.status !== 'active') return permission(false, `the account is ${u.status}`);
        if (u.role === 'admin') return permission(true);
        if (!USER_PERMISSIONS.has(`${resource}:${action}`))
          return permission(false, `users may not ${action} ${resource}`);
        if (owner_id !== undefined && owner_id !== user_id)
          return permission(false, 'users may only act on their own data');
        return permission(true);
      },
      get_active_sessions: async ({ user_id }) => {
        let q = this.db
          .selectFrom('sessions')
          .selectAll()
          .where('revoked_at', 'is', null)
          .where('expires_at', '>', Date.now());
        if (user_id) q = q.where('user_id', '=', user_id);
        const rows = await q.orderBy('created_at', 'desc').limit(500).execute();
        return rows.map((s) => ({
          session_id: s.id,
          user_id: s.user_id,
          created_at: toIsoString(s.created_at),
          expires_at: toIsoString(s.expires_at),
          client_ip: s.client_ip,
        }));
      },
      list_users: async ({ status, page, limit }) => {
        let q = this.db.selectFrom('users');
        if (status) q = q.where('status', '=', status);
        const { n } = await q
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .executeTakeFirstOrThrow();
        const rows = await q
          .selectAll()
          .orderBy('created_at', 'asc')
          .orderBy('id')
          .limit(limit)
          .offset((page - 1) * limit)
          .execute();
        return { items: rows.map(toUser), total: Number(n), page, limit };
      },
      approve_user: (input, call) => this.changeStatus('approve_user', input, call),
      reject_user: (input, call) => this.changeStatus('reject_user', input, call),
      suspend_user: (input, call) => this.changeStatus('suspend_user', input, call),
    };
  }

  health(): Promise<HealthReport> {
    return databaseHealth(this.db);
  }

  close(): Promise<void> {
    return this.store.close();
  }
}
