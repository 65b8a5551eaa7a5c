/** Active streams: title, user, tier, bytes sent. /api/admin/streams every 5 s. */
import { bytes, ago } from '../../format.ts';
import { useApi } from '../../hooks.ts';
import { LoadState, Panel } from './parts.tsx';
import { listOf, num, str } from './read.ts';
import type { Dict } from './types.ts';

export function StreamsPanel() {
  const st = useApi<unknown>('/api/admin/streams', { refreshMs: 5000 });
  const streams = listOf<Dict>(st.data, 'streams', 'sessions');
  return (
    <Panel
      id="streams"
      title="Active streams"
      aside={
        st.data ? (
          <span class="count" data-testid="stream-count">
            {num((st.data as Dict).total) ?? streams.length}
          </span>
        ) : null
      }
    >
      <LoadState of={st} />
      {st.data && streams.length === 0 ? <p class="muted">Nobody is watching right now.</p> : null}
      <ul class="stream-list" data-testid="stream-list">
        {streams.map((s, i) => (
          <li key={str(s.session_id) ?? i} class="stream-item">
            <div>
              <strong>
                {str(s.title) ?? str(s.content_title) ?? str(s.content_id)?.slice(0, 8) ?? '?'}
              </strong>
              <div class="muted tiny">
                {str(s.username) ?? str(s.user_id)?.slice(0, 8)} · started {ago(str(s.started_at))}
              </div>
            </div>
            <div class="stream-facts">
              {s.tier ? <span class={`pill pill-tier-${str(s.tier)}`}>{str(s.tier)}</span> : null}
              <span class="muted small">{bytes(num(s.bytes_sent))}</span>
            </div>
          </li>
        ))}
      </ul>
    </Panel>
  );
}
