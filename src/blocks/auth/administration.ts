/**
 * What administrators do to accounts: list them, and approve, reject or suspend one.
 * Suspension revokes every session of the user in the same transaction.
 */
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { BlockClient, User } from '../../orchestration/index.ts';
import type { ActionInput } from '../../orchestration/contracts/define.ts';
import type { Accounts } from './accounts.ts';
import { authError, toUser, type AuthDB, type Status } from './models.ts';

/** Status changes an admin may make: the target status, and the statuses it may come from. */
const TRANSITIONS = {
  approve_user: { to: 'active', from: ['pending_approval', 'rejected', 'suspended'] },
  reject_user: { to: 'rejected', from: ['pending_approval'] },
  suspend_user: { to: 'suspended', from: ['active'] },
} as const satisfies Record<string, { to: Status; from: readonly Status[] }>;
export type StatusAction = keyof typeof TRANSITIONS;

/** `by` is the administrator asking. */
type StatusChange = ActionInput<'auth:v1', StatusAction>;

export class Administration {
  constructor(
    private readonly db: Kysely<AuthDB>,
    private readonly accounts: Accounts,
    private readonly log: Logger,
  ) {}

  /** One page of accounts, oldest first. */
  async listUsers(input: { status?: Status; page: number; limit: number }) {
    const { status, page, limit } = input;
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
  }

  async changeStatus(action: StatusAction, input: StatusChange, bus: BlockClient): Promise<User> {
    const actor = await this.accounts.find('id', input.by);
    if (actor?.role !== 'admin' || actor.status !== 'active')
      throw authError('FORBIDDEN', 'only an active administrator may change an account status');
    if (input.by === input.user_id)
      throw authError(
        'CANNOT_MANAGE_SELF',
        'administrators cannot change the status of their own account',
      );
    const { to } = TRANSITIONS[action];
    const changed = await this.apply(action, input);
    const user = await this.accounts.find('id', input.user_id);
    if (!user) throw authError('USER_NOT_FOUND', `no user ${input.user_id}`);
    // Asking for the status the user already has is answered, not refused: callers may retry.
    if (!changed && user.status !== to)
      throw authError(
        'INVALID_STATUS_CHANGE',
        `a user whose status is ${user.status} cannot become ${to}`,
      );
    if (changed) {
      this.log.info({ user_id: user.id, by: input.by, status: to }, 'account status changed');
      const who = { user_id: user.id, by: input.by };
      const reason = input.reason ?? null;
      if (action === 'approve_user') await bus.publishOrLog('user_approved', who);
      else if (action === 'reject_user')
        await bus.publishOrLog('user_rejected', { ...who, reason });
      else await bus.publishOrLog('user_suspended', { ...who, reason });
    }
    return toUser(user);
  }

  /** Changes the status if the user's current one allows it; false when nothing changed. */
  private apply(action: StatusAction, input: StatusChange): Promise<boolean> {
    const { to, from } = TRANSITIONS[action];
    const now = Date.now();
    return this.db.transaction().execute(async (trx) => {
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
  }
}
