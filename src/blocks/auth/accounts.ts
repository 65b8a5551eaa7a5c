/**
 * Accounts: finding a user, registering one (pending approval), and the configured first
 * administrator. The unique indexes on email and username settle concurrent registrations.
 */
import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { BlockClient, User } from '../../orchestration/index.ts';
import { isUniqueViolation } from '../../platform/database/index.ts';
import { authError, toUser, type AuthDB, type UserRow } from './models.ts';
import { hashPassword, passwordProblem } from './passwords.ts';
import type { FirstAdmin } from './settings.ts';

/** What registering takes (also the HTTP body schema). Usernames cannot contain "@". */
export const Registration = z.object({
  email: z.email().max(254),
  username: z
    .string()
    .min(3)
    .max(32)
    .regex(/^[A-Za-z0-9_.-]+$/, 'only letters, digits, "_", "." and "-"'),
  password: z.string().max(128),
  full_name: z.string().max(100).nullish(),
});
export type Registration = z.infer<typeof Registration>;

export class Accounts {
  constructor(
    private readonly db: Kysely<AuthDB>,
    private readonly bcryptCost: number,
    private readonly log: Logger,
  ) {}

  find(column: 'id' | 'email' | 'username_key', value: string): Promise<UserRow | undefined> {
    return this.db.selectFrom('users').selectAll().where(column, '=', value).executeTakeFirst();
  }

  /** The account a login name names: usernames cannot contain "@", so one with "@" is an email. */
  findByLogin(login: string): Promise<UserRow | undefined> {
    return this.find(login.includes('@') ? 'email' : 'username_key', login);
  }

  async register(input: Registration, bus: BlockClient): Promise<User> {
    const weak = passwordProblem(input.password);
    if (weak) throw authError('WEAK_PASSWORD', weak.message, { rules: weak.rules });
    const row = newRow(input, Date.now());
    // cheap check before paying for bcrypt; the unique indexes settle races
    await this.refuseTaken(row);
    row.password_hash = await hashPassword(input.password, this.bcryptCost);
    try {
      await this.db.insertInto('users').values(row).execute();
    } catch (err) {
      if (isUniqueViolation(err)) await this.refuseTaken(row);
      throw err;
    }
    this.log.info({ user_id: row.id }, 'user registered');
    await bus.publishOrLog('user_registered', {
      user_id: row.id,
      email: row.email,
      username: row.username,
    });
    return toUser(row);
  }

  /**
   * Creates the configured first admin unless that email exists; concurrent starts insert at most
   * one.
   */
  async ensureFirstAdmin(admin: FirstAdmin): Promise<void> {
    const email = admin.email.toLowerCase();
    if (await this.find('email', email)) return;
    const weak = passwordProblem(admin.password);
    if (weak) throw new Error(`WSOPTV_ADMIN_PASSWORD is too weak: ${weak.message}`);
    const now = Date.now();
    const row = newRow({ email, username: admin.username }, now);
    await this.db
      .insertInto('users')
      .values({
        ...row,
        password_hash: await hashPassword(admin.password, this.bcryptCost),
        role: 'admin',
        status: 'active',
        approved_at: now,
      })
      .onConflict((oc) => oc.doNothing())
      .execute();
    const found = await this.find('email', email);
    if (found) this.log.info({ user_id: found.id }, 'first administrator is present');
    else
      this.log.warn(
        { username: admin.username },
        'first administrator not created: the username belongs to another account',
      );
  }

  private async refuseTaken(row: UserRow): Promise<void> {
    if (await this.find('email', row.email))
      throw authError('EMAIL_TAKEN', 'an account with this email already exists');
    if (await this.find('username_key', row.username_key))
      throw authError('USERNAME_TAKEN', 'this username is already taken');
  }
}

/** A new account, waiting for approval; its password hash is filled in by the caller. */
function newRow(r: Omit<Registration, 'password'>, now: number): UserRow {
  return {
    id: randomUUID(),
    email: r.email.trim().toLowerCase(),
    username: r.username,
    username_key: r.username.toLowerCase(),
    full_name: r.full_name?.trim() || null,
    password_hash: '',
    role: 'user',
    status: 'pending_approval',
    status_reason: null,
    created_at: now,
    approved_at: null,
    last_login_at: null,
  };
}
