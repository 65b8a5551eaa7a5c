/**
 * Sign-in rate limit, kept in the database so every process shares it: more than `max` failed
 * attempts within the window for one account or one client address → TOO_MANY_ATTEMPTS.
 * An attempt is written *before* the password is checked (and removed if it succeeds), so
 * concurrent attempts from several processes cannot all slip under the limit.
 */
import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import { authError, type AuthDB } from './models.ts';

export class LoginLimiter {
  constructor(
    private readonly db: Kysely<AuthDB>,
    private readonly max: number,
    private readonly windowMs: number,
  ) {}

  /**
   * Records an attempt and returns its id; throws TOO_MANY_ATTEMPTS (with retry_after_s) when over
   * the limit.
   */
  async begin(accountKey: string, ip: string): Promise<string> {
    const now = Date.now();
    const since = now - this.windowMs;
    const id = randomUUID();
    await this.db.deleteFrom('login_attempts').where('at', '<=', since).execute();
    await this.db
      .insertInto('login_attempts')
      .values({ id, account_key: accountKey, ip, at: now })
      .execute();
    for (const [column, value] of [
      ['account_key', accountKey],
      ['ip', ip],
    ] as const) {
      const seen = await this.db
        .selectFrom('login_attempts')
        .select((eb) => [eb.fn.countAll<number>().as('n'), eb.fn.min('at').as('first')])
        .where(column, '=', value)
        .where('at', '>', since)
        .where('id', '!=', id)
        .executeTakeFirstOrThrow();
      if (Number(seen.n) >= this.max) {
        await this.db.deleteFrom('login_attempts').where('id', '=', id).execute();
        const retryAfterS = Math.max(
          1,
          Math.ceil((Number(seen.first) + this.windowMs - now) / 1000),
        );
        throw authError(
          'TOO_MANY_ATTEMPTS',
          `too many failed sign-in attempts; try again in ${retryAfterS} s`,
          { retry_after_s: retryAfterS },
        );
      }
    }
    return id;
  }

  /** The password was right: forget this attempt and the account's earlier failures. */
  async succeeded(id: string, accountKey: string): Promise<void> {
    await this.db
      .deleteFrom('login_attempts')
      .where((eb) => eb.or([eb('id', '=', id), eb('account_key', '=', accountKey)]))
      .execute();
  }
}
