/** Who may do what (`check_permission`): admins everything, active users a fixed list. */
import type { UserRow } from './models.ts';

/** What an active non-admin may do, as `resource:action`. Admins may do everything; `admin:*` is theirs alone. */
const USER_PERMISSIONS = new Set([
  'content:read',
  'catalog:read',
  'stream:read',
  'search:read',
  'progress:read',
  'progress:write',
]);

export interface PermissionQuery {
  user_id: string;
  resource: string;
  action: string;
  /** Whose data the action touches; non-admins may act only on their own. */
  owner_id?: string;
}

export function checkPermission(
  user: UserRow | undefined,
  { user_id, resource, action, owner_id }: PermissionQuery,
): { allowed: boolean; reason: string | null } {
  const refuse = (reason: string) => ({ allowed: false, reason });
  if (!user) return refuse('unknown user');
  if (user.status !== 'active') return refuse(`the account is ${user.status}`);
  if (user.role === 'admin') return { allowed: true, reason: null };
  if (!USER_PERMISSIONS.has(`${resource}:${action}`))
    return refuse(`users may not ${action} ${resource}`);
  if (owner_id !== undefined && owner_id !== user_id)
    return refuse('users may only act on their own data');
  return { allowed: true, reason: null };
}
