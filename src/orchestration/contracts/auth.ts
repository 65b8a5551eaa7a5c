import { z } from 'zod';
import { defineContract } from './define.ts';
import { Id, IsoDate } from './common.ts';

export const UserStatus = z.enum(['pending_approval', 'active', 'rejected', 'suspended']);
/**
 * The error code of a request refused because the account is not active: the same code from
 * every block (auth at sign-in, the route guard, the stream block), declared once here.
 */
export const AccountCodes = {
  pending_approval: 'ACCOUNT_PENDING_APPROVAL',
  rejected: 'ACCOUNT_REJECTED',
  suspended: 'ACCOUNT_SUSPENDED',
} as const satisfies Record<Exclude<z.infer<typeof UserStatus>, 'active'>, string>;
export const UserRole = z.enum(['admin', 'user']);

/** A user as other blocks see it: never a password hash, never a token. */
export const User = z.object({
  id: Id,
  email: z.string(),
  username: z.string(),
  full_name: z.string().nullable(),
  role: UserRole,
  status: UserStatus,
  status_reason: z.string().nullable(),
  created_at: IsoDate,
  approved_at: IsoDate.nullable(),
  last_login_at: IsoDate.nullable(),
});
export type User = z.infer<typeof User>;

export const Session = z.object({
  session_id: Id,
  user_id: Id,
  created_at: IsoDate,
  expires_at: IsoDate,
  client_ip: z.string().nullable(),
});

const ManageUser = z.object({ user_id: Id, by: Id, reason: z.string().max(500).optional() });

export const authV1 = defineContract('auth', 'v1', {
  actions: {
    validate_token: {
      input: z.object({ token: z.string().min(1).max(4096) }),
      output: z.object({ user: User, session_id: Id, expires_at: IsoDate }).nullable(),
      description: 'Checks an access token; null when it is invalid, expired or revoked.',
    },
    get_user: { input: z.object({ user_id: Id }), output: User.nullable() },
    check_permission: {
      input: z.object({
        user_id: Id,
        resource: z.string().max(100),
        action: z.string().max(50),
        /**
         * Whose data the action touches (e.g. the progress row's user); non-admins may act only on
         * their own.
         */
        owner_id: Id.optional(),
      }),
      output: z.object({ allowed: z.boolean(), reason: z.string().nullable() }),
      description:
        'Admins: everything. Active users: read content, catalog, stream, search; read and write their own progress. Resource "admin": admins only.',
    },
    get_active_sessions: { input: z.object({ user_id: Id.optional() }), output: z.array(Session) },
    list_users: {
      input: z.object({
        status: UserStatus.optional(),
        page: z.number().int().min(1).default(1),
        limit: z.number().int().min(1).max(100).default(20),
      }),
      output: z.object({
        items: z.array(User),
        total: z.number().int(),
        page: z.number().int(),
        limit: z.number().int(),
      }),
    },
    approve_user: { input: ManageUser, output: User },
    reject_user: { input: ManageUser, output: User },
    suspend_user: { input: ManageUser, output: User },
  },
  events: {
    user_registered: z.object({ user_id: Id, email: z.string(), username: z.string() }),
    user_approved: z.object({ user_id: Id, by: Id }),
    user_rejected: z.object({ user_id: Id, by: Id, reason: z.string().nullable() }),
    user_suspended: z.object({ user_id: Id, by: Id, reason: z.string().nullable() }),
    user_login: z.object({ user_id: Id, session_id: Id }),
    user_logout: z.object({ user_id: Id, session_id: Id }),
  },
});
