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
import { listOf, num, str } from './read.ts';
import type { BlockRow, Dict } from './types.ts';

export function SystemPanel() {
  const st = useApi<Dict>('/api/admin/status', { refreshMs: 3000 });
  const [updated, setUpdated] = useState<number | null>(null);
  useEffect(() => {
    if (st.data) setUpdated(Date.now());
  }, [st.data]);
  const deps = Object.entries((st.data?.dependencies ?? {}) as Record<string, Dict>).filter(
    ([, d]) => d && d.available === false,
  );
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
                    <strong>{name}</strong>: {str(d.message) ?? str(d.code) ?? 'no answer'}{' '}
                    {d.code ? <code>{str(d.code)}</code> : null}
                  </li>
                ))}
              </ul>
            </Notice>
          ) : null}
          <Disks disks={st.data.disks} />
          <BlockGrid
            blocks={listOf<BlockRow>(st.data, 'blocks')}
            missing={listOf<string>(st.data.missing_blocks)}
          />
        </>
      ) : null}
    </Panel>
  );
}

/** The row of figures at the top of the panel. */
function Stats({ status }: { status: Dict }) {
  const transport = (status.transport ?? status.bus) as Dict | undefined;
  const redis =
    (status.redis as Dict | undefined) ?? (transport?.kind === 'redis' ? transport : undefined);
  const summary = status.summary as Dict | undefined;
  return (
    <div class="stat-row">
      <Stat
        label="Bus"
        value={str(transport?.kind) ?? '—'}
        sub={str(transport?.state)}
        good={transport?.state === 'connected'}
        testid="stat-bus"
      />
      <Stat
        label="Redis"
        value={redis ? (str(redis.state) ?? str(redis.status) ?? 'unknown') : 'not used'}
        sub={redis ? str(redis.url) : 'in-memory bus, embedded stores'}
        good={
          redis
            ? redis.state === 'connected' || redis.status === 'connected' || redis.state === 'ready'
            : undefined
        }
        testid="stat-redis"
      />
      <Stat label="CPU" value={cpuText(status.cpu)} sub={cpuSub(status.cpu)} testid="stat-cpu" />
      <Stat
        label="Memory"
        value={memText(status.memory)}
        sub={memSub(status.memory)}
        testid="stat-memory"
      />
      {summary ? (
        <Stat
          label="Streaming now"
          value={
            num(summary.active_streams) !== undefined ? String(num(summary.active_streams)) : '—'
          }
          sub={`${num(summary.pending_users) ?? '—'} waiting for approval${queueText(summary.queue)}`}
          testid="stat-summary"
        />
      ) : null}
    </div>
  );
}
