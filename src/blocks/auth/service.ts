/**
 * The auth block put together: one database, and the parts that use it — accounts, sessions,
 * administration — answering the `auth:v1` contract. Every check that matters to other
 * processes (revoked sessions, rate limits, the signing secret) lives in the database, never in
 * memory, so any number of auth processes agree.
 */
import type {
  BlockSetupContext,
  ContractHandlers,
  HealthReport,
} from '../../orchestration/index.ts';
import {
  databaseHealth,
  openDatabaseFor,
  type BlockDatabase,
} from '../../platform/database/index.ts';
import { Accounts } from './accounts.ts';
import { Administration } from './administration.ts';
import { migrations } from './migrations.ts';
import { toUser, type AuthDB } from './models.ts';
import { checkPermission } from './permissions.ts';
import { Sessions } from './sessions.ts';
import type { AuthSettings } from './settings.ts';
import { Tokens, signingKey } from './tokens.ts';

type AuthContext = Pick<BlockSetupContext<AuthSettings>, 'settings' | 'shared' | 'log'>;

export class AuthService {
  readonly accounts: Accounts;
  readonly sessions: Sessions;
  private readonly admin: Administration;

  private constructor(
    private readonly store: BlockDatabase<AuthDB>,
    tokens: Tokens,
    { settings, log }: AuthContext,
  ) {
    this.accounts = new Accounts(store.db, settings.bcryptCost, log);
    this.sessions = new Sessions(store.db, this.accounts, tokens, settings, log);
    this.admin = new Administration(store.db, this.accounts, log);
  }

  /** Opens and migrates the database, settles the signing key and creates the first admin. */
  static async open(ctx: AuthContext): Promise<AuthService> {
    const store = await openDatabaseFor<AuthDB>(ctx.shared, 'auth', migrations);
    try {
      const key = await signingKey(store.db, ctx.settings.jwtSecret);
      const service = new AuthService(store, new Tokens(key, ctx.settings.accessTokenTtlS), ctx);
      if (ctx.settings.admin) await service.accounts.ensureFirstAdmin(ctx.settings.admin);
      return service;
    } catch (err) {
      await store.close();
      throw err;
    }
  }

  handlers(): ContractHandlers<'auth:v1'> {
    return {
      validate_token: ({ token }) => this.sessions.validate(token),
      get_user: async ({ user_id }) => {
        const row = await this.accounts.find('id', user_id);
        return row ? toUser(row) : null;
      },
      check_permission: async (query) =>
        checkPermission(await this.accounts.find('id', query.user_id), query),
      get_active_sessions: ({ user_id }) => this.sessions.active(user_id),
      list_users: (input) => this.admin.listUsers(input),
      approve_user: (input, call) => this.admin.changeStatus('approve_user', input, call),
      reject_user: (input, call) => this.admin.changeStatus('reject_user', input, call),
      suspend_user: (input, call) => this.admin.changeStatus('suspend_user', input, call),
    };
  }

  health(): Promise<HealthReport> {
    return databaseHealth(this.store.db);
  }

  close(): Promise<void> {
    return this.store.close();
  }
}
