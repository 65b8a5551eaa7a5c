/** Who may do what (`check_permission`): admins everything, active users a fixed list. */
import type { ActionInput, ActionOutput } from '../../orchestration/contracts/define.ts';
import type { UserRow } from './models.ts';

/**
 * What an active non-admin may do, as `resource:action`. Admins may do everything; `admin:*` is
 * theirs alone.
 */
const USER_PERMISSIONS = new Set([
  'content:read',
  'catalog:read',
  'stream:read',
  'search:read',
  'progress:read',
  'progress:write',
]);

export function checkPermission(
  user: UserRow | undefined,
  { user_id, resource, action, owner_id }: ActionInput<'auth:v1', 'check_permission'>,
): ActionOutput<'auth:v1', 'check_permission'> {
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
