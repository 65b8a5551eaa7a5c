/**
 * Pending approvals: approve, or reject with a reason. /api/admin/users?status=pending_approval
 * every 10 s.
 */
import { ago } from '../../format.ts';
import { useApi } from '../../hooks.ts';
import { ActionNotice, LoadState, Panel } from './parts.tsx';
import type { UsersPage } from './types.ts';
import { useUserActions } from './user-actions.tsx';

export function ApprovalsPanel() {
  const list = useApi<UsersPage>('/api/admin/users?status=pending_approval&limit=50', {
    refreshMs: 10_000,
  });
  const { act, approve, ask, dialog } = useUserActions(list.reload);
  const users = list.data?.items ?? [];
  return (
    <Panel
      id="approvals"
      title="Pending approvals"
      aside={
        list.data ? (
          <span class="count" data-testid="pending-count">
            {list.data.total}
          </span>
        ) : null
      }
    >
      <LoadState of={list} />
      <ActionNotice message={act.message} />
      {list.data && users.length === 0 ? <p class="muted">Nobody is waiting.</p> : null}
      <ul class="user-list">
        {users.map((u) => (
          <li key={u.id} class="user-item" data-testid="pending-user" data-username={u.username}>
            <div class="user-who">
              <strong>{u.username}</strong>
              <span class="muted small">
                {u.full_name ? `${u.full_name} · ` : ''}
                {u.email}
              </span>
              <span class="muted tiny">asked {ago(u.created_at)}</span>
            </div>
            <div class="user-actions">
              <button
                type="button"
                class="btn btn-primary btn-sm"
                disabled={act.busy === u.id}
                onClick={() => approve(u, `${u.username} approved`)}
                data-testid="approve"
              >
                Approve
              </button>
              <button
                type="button"
                class="btn btn-ghost btn-sm"
                disabled={act.busy === u.id}
                onClick={() => ask(u, 'reject')}
                data-testid="reject"
              >
                Reject
              </button>
            </div>
          </li>
        ))}
      </ul>
      {dialog}
    </Panel>
  );
}
