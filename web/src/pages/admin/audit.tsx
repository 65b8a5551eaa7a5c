/** Audit log, paged: who did what to whom. /api/admin/audit?page= every 15 s. */
import { useState } from 'preact/hooks';
import { dateTime } from '../../format.ts';
import { useApi } from '../../hooks.ts';
import { withQuery } from '../../router.tsx';
import { detailsText } from './format.ts';
import { LoadState, Panel, SmallPager, Table } from './parts.tsx';
import type { AuditPage } from './types.ts';

const LIMIT = 20;

export function AuditPanel() {
  const [page, setPage] = useState(1);
  const log = useApi<AuditPage>(withQuery('/api/admin/audit', { page, limit: LIMIT }), {
    refreshMs: 15_000,
  });
  const items = log.data?.items ?? [];
  const pages = Math.max(1, Math.ceil((log.data?.total ?? 0) / LIMIT));
  return (
    <Panel id="audit" title="Audit log">
      <LoadState of={log} />
      {log.data && items.length === 0 ? <p class="muted">No admin actions yet.</p> : null}
      {items.length ? (
        <Table testid="audit-table" columns={['When', 'Who', 'Action', 'Target', 'Details']}>
          {items.map((a) => (
            <tr key={a.id}>
              <td class="nowrap small">{dateTime(a.at)}</td>
              <td class="small">{a.actor_name ?? a.actor_id.slice(0, 8)}</td>
              <td>
                <code>{a.action}</code>
              </td>
              <td class="small">{a.target ?? '—'}</td>
              <td class="muted tiny details" title={JSON.stringify(a.details)}>
                {detailsText(a.details)}
              </td>
            </tr>
          ))}
        </Table>
      ) : null}
      <SmallPager page={page} pages={pages} onPage={setPage} />
    </Panel>
  );
}
