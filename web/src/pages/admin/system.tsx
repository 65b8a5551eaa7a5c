/**
 * System: bus, Redis, CPU, memory and the streaming/approval/queue summary; the dependencies
 * that cannot answer; the disks; a card per block. GET /api/admin/status every 3 s.
 */
import { useEffect, useState } from 'preact/hooks';
import { Notice } from '../../components/ui.tsx';
import { useApi } from '../../hooks.ts';
import { BlockGrid } from './blocks.tsx';
import { cpuSub, cpuText, memSub, memText, queueText } from './format.ts';
import { Disks, Stat } from './meters.tsx';
import { LoadState, Panel } from './parts.tsx';
import type { StatusReport } from './types.ts';

export function SystemPanel() {
  const st = useApi<StatusReport>('/api/admin/status', { refreshMs: 3000 });
  const [updated, setUpdated] = useState<number | null>(null);
  useEffect(() => {
    if (st.data) setUpdated(Date.now());
  }, [st.data]);
  const deps = Object.entries(st.data?.dependencies ?? {}).filter(([, d]) => !d.available);
  return (
    <Panel
      id="system"
      title="System"
      aside={
        <span class="muted small live" data-testid="status-updated">
          <span class={`dot ${st.error ? 'dot-bad' : 'dot-ok'}`} aria-hidden="true" />{' '}
          {updated ? `live · updated ${new Date(updated).toLocaleTimeString()}` : 'connecting…'}
        </span>
      }
    >
      <LoadState of={st} />
      {st.data ? (
        <>
          <Stats status={st.data} />
          {deps.length ? (
            <Notice kind="warn" title="Some services cannot answer" testid="status-dependencies">
              <ul class="dep-list">
                {deps.map(([name, d]) => (
                  <li key={name}>
                    <strong>{name}</strong>: {d.message ?? d.code ?? 'no answer'}{' '}
                    {d.code ? <code>{d.code}</code> : null}
                  </li>
                ))}
              </ul>
            </Notice>
          ) : null}
          <Disks disks={st.data.disks} />
          <BlockGrid blocks={st.data.blocks} missing={st.data.missing_blocks} />
        </>
      ) : null}
    </Panel>
  );
}

/** The row of figures at the top of the panel. */
function Stats({ status }: { status: StatusReport }) {
  const { transport, summary } = status;
  const redis = transport.kind === 'redis' ? transport : undefined;
  return (
    <div class="stat-row">
      <Stat
        label="Bus"
        value={transport.kind}
        sub={transport.state}
        good={transport.state === 'connected'}
        testid="stat-bus"
      />
      <Stat
        label="Redis"
        value={redis ? redis.state : 'not used'}
        sub={redis ? 'bus and shared stores' : 'in-memory bus, embedded stores'}
        good={redis ? redis.state === 'connected' : undefined}
        testid="stat-redis"
      />
      <Stat label="CPU" value={cpuText(status.cpu)} sub={cpuSub(status.cpu)} testid="stat-cpu" />
      <Stat
        label="Memory"
        value={memText(status.memory)}
        sub={memSub(status.memory)}
        testid="stat-memory"
      />
      <Stat
        label="Streaming now"
        value={summary.active_streams === null ? '—' : String(summary.active_streams)}
        sub={`${summary.pending_users ?? '—'} waiting for approval${queueText(summary.queue)}`}
        testid="stat-summary"
      />
    </div>
  );
}
