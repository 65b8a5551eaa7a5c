/**
 * Users by status: suspend (optional reason), reactivate. /api/admin/users?status=&page= every 15
 * s.
 */
import { useState } from 'preact/hooks';
import { ago } from '../../format.ts';
import { useApi } from '../../hooks.ts';
import { withQuery } from '../../router.tsx';
import { ActionNotice, LoadState, Panel, SmallPager, Table } from './parts.tsx';
import type { UsersPage } from './types.ts';
import { useUserActions } from './user-actions.tsx';

const STATUSES = ['active', 'pending_approval', 'suspended', 'rejected', ''] as const;
const LIMIT = 20;

export function UsersPanel() {
  const [status, setStatus] = useState<string>('active');
  const [page, setPage] = useState(1);
  const list = useApi<UsersPage>(withQuery('/api/admin/users', { status, page, limit: LIMIT }), {
    refreshMs: 15_000,
  });
  const { act, approve, ask, dialog } = useUserActions(list.reload);
  const users = list.data?.items ?? [];
  const total = list.data?.total ?? 0;
  const pages = Math.max(1, Math.ceil(total / LIMIT));
  return (
    <Panel
      id="users"
      title="Users"
      aside={
        <div class="segmented" role="group" aria-label="Filter by status">
          {STATUSES.map((s) => (
            <button
              key={s || 'all'}
              type="button"
              class={status === s ? 'seg active' : 'seg'}
              aria-pressed={status === s}
              onClick={() => {
                setStatus(s);
                setPage(1);
              }}
            >
              {s ? s.replace('_approval', '') : 'all'}
            </button>
          ))}
        </div>
      }
    >
      <LoadState of={list} />
      <ActionNotice message={act.message} />
      {list.data ? (
        <Table testid="users-table" columns={['User', 'Role', 'Status', 'Last sign-in', '']}>
          {users.map((u) => (
            <tr key={u.id} data-testid="user-row" data-username={u.username}>
              <td>
                <strong>{u.username}</strong>
                <div class="muted tiny">{u.email}</div>
              </td>
              <td>{u.role}</td>
              <td>
                <span class={`pill pill-${u.status}`}>{u.status.replace('_', ' ')}</span>
                {u.status_reason ? <div class="muted tiny">{u.status_reason}</div> : null}
              </td>
              <td class="muted small">{u.last_login_at ? ago(u.last_login_at) : 'never'}</td>
              <td class="actions">
                {u.status === 'active' && u.role !== 'admin' ? (
                  <button
                    type="button"
                    class="btn btn-danger btn-sm"
                    disabled={act.busy === u.id}
                    onClick={() => ask(u, 'suspend')}
                    data-testid="suspend"
                  >
                    Suspend
                  </button>
                ) : null}
                {u.status !== 'active' ? (
                  <button
                    type="button"
                    class="btn btn-primary btn-sm"
                    disabled={act.busy === u.id}
                    onClick={() => approve(u, `${u.username} is active`)}
                    data-testid="activate"
                  >
                    {u.status === 'pending_approval' ? 'Approve' : 'Reactivate'}
                  </button>
                ) : null}
              </td>
            </tr>
          ))}
          {users.length === 0 ? (
            <tr>
              <td colSpan={5} class="muted">
                No users with this status.
              </td>
            </tr>
          ) : null}
        </Table>
      ) : null}
      <SmallPager page={page} pages={pages} onPage={setPage} />
      {dialog}
    </Panel>
  );
}
