/** Active streams: title, user, tier, bytes sent. /api/admin/streams every 5 s. */
import { bytes, ago } from '../../format.ts';
import { useApi } from '../../hooks.ts';
import { LoadState, Panel } from './parts.tsx';
import type { Streams } from './types.ts';

export function StreamsPanel() {
  const st = useApi<Streams>('/api/admin/streams', { refreshMs: 5000 });
  const streams = st.data?.items ?? [];
  return (
    <Panel
      id="streams"
      title="Active streams"
      aside={
        st.data ? (
          <span class="count" data-testid="stream-count">
            {st.data.total}
          </span>
        ) : null
      }
    >
      <LoadState of={st} />
      {st.data && streams.length === 0 ? <p class="muted">Nobody is watching right now.</p> : null}
      <ul class="stream-list" data-testid="stream-list">
        {streams.map((s) => (
          <li key={s.session_id} class="stream-item">
            <div>
              <strong>{s.content_title ?? s.content_id.slice(0, 8)}</strong>
              <div class="muted tiny">
                {s.username ?? s.user_id.slice(0, 8)} · started {ago(s.started_at)}
              </div>
            </div>
            <div class="stream-facts">
              <span class={`pill pill-tier-${s.tier}`}>{s.tier}</span>
              <span class="muted small">{bytes(s.bytes_sent)}</span>
            </div>
          </li>
        ))}
      </ul>
    </Panel>
  );
}
