/**
 * What the content block's HTTP tests share: a mock auth block (built from auth:v1) that knows
 * three tokens: "viewer" (an active user), "admin" and "pending" (waiting for approval).
 */
import { authV1, mockBlock, type User } from '../../../orchestration/index.ts';

const now = new Date().toISOString();
const user = (id: string, over: Partial<User> = {}): User => ({
  id,
  email: `${id}@x.test`,
  username: id,
  full_name: null,
  role: 'user',
  status: 'active',
  status_reason: null,
  created_at: now,
  approved_at: now,
  last_login_at: null,
  ...over,
});
export const tokens: Record<string, User> = {
  viewer: user('u1'),
  admin: user('a1', { role: 'admin' }),
  pending: user('u2', { status: 'pending_approval' }),
};
export const authMock = () =>
  mockBlock(
    'auth:v1',
    {
      validate_token: ({ token }) =>
        tokens[token]
          ? {
              user: tokens[token],
              session_id: `s-${token}`,
              expires_at: new Date(Date.now() + 3600_000).toISOString(),
            }
          : null,
    },
    Object.keys(authV1.actions),
  );
