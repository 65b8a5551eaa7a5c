/**
 * Dead letters: domain events a block kept failing on and gave up, each a change some block
 * never applied; Replay hands one back to that block once the cause is fixed.
 * /api/admin/dead-letters?limit=20 every 30 s.
 */
import { dateTime } from '../../format.ts';
import { useApi } from '../../hooks.ts';
import { useAction } from './hooks.ts';
import { ActionNotice, LoadState, Panel, Table } from './parts.tsx';
import type { DeadLetters } from './types.ts';

/** The block a consumer group belongs to: "content.vm-1" → "content". */
const blockOf = (group: string) => group.split('.')[0];

export function DeadLettersPanel() {
  const letters = useApi<DeadLetters>('/api/admin/dead-letters?limit=20', {
    refreshMs: 30_000,
  });
  const items = letters.data?.items ?? [];
  const act = useAction(letters.reload);
  return (
    <Panel id="dead-letters" title="Dead letters" testid="dead-letters-panel">
      <LoadState of={letters} />
      <ActionNotice message={act.message} />
      {letters.data && items.length === 0 ? (
        <p class="muted">No events were given up: every block handled every event it received.</p>
      ) : null}
      {items.length ? (
        <Table
          testid="dead-letters-table"
          columns={['When', 'Event', 'Block', 'Tries', 'Last error', '']}
        >
          {items.map((d) => (
            <tr key={`${d.channel}/${d.group}/${d.id}`}>
              <td class="nowrap small">{dateTime(d.at)}</td>
              <td>
                <code>{d.channel}</code>
              </td>
              <td class="small">{blockOf(d.group)}</td>
              <td class="small">{d.deliveries}</td>
              <td class="muted tiny details" title={d.message}>
                {d.error}
              </td>
              <td>
                <button
                  type="button"
                  class="btn btn-ghost btn-sm"
                  title="Once its cause is fixed, hand the event back to the block that failed on it"
                  disabled={act.busy === d.id}
                  onClick={() =>
                    void act.run(
                      d.id,
                      '/api/admin/dead-letters/replay',
                      { channel: d.channel, group: d.group, id: d.id },
                      `${d.channel} handed back to ${blockOf(d.group)}`,
                    )
                  }
                  data-testid="dead-letter-replay"
                >
                  Replay
                </button>
              </td>
            </tr>
          ))}
        </Table>
      ) : null}
    </Panel>
  );
}
