/**
 * Cache: hit rate per tier, SSD usage against its budget, stream slots, hot videos.
 * /api/admin/cache every 5 s.
 */
import { percent } from '../../format.ts';
import { useApi } from '../../hooks.ts';
import { UsageBar } from './meters.tsx';
import { LoadState, Panel } from './parts.tsx';
import type { Cache } from './types.ts';

export function CachePanel() {
  const c = useApi<Cache>('/api/admin/cache', { refreshMs: 5000 });
  return (
    <Panel id="cache" title="Cache">
      <LoadState of={c} />
      {c.data ? <CacheFigures cache={c.data} /> : null}
    </Panel>
  );
}

function CacheFigures({
  cache: { tiers, ssd, active_slots, hot_contents: hot },
}: {
  cache: Cache;
}) {
  return (
    <>
      <div class="tier-grid" data-testid="cache-tiers">
        {Object.entries(tiers).map(([name, t]) => (
          <Tier key={name} name={name} tier={t} />
        ))}
      </div>
      <UsageBar
        label={`SSD cache · ${ssd.files} files`}
        used={ssd.used_bytes}
        total={ssd.capacity_bytes}
        testid="ssd-usage"
      />
      <p class="muted small">Stream slots in use: {active_slots}</p>
      {hot.length ? (
        <details class="hot">
          <summary>Hot videos ({hot.length})</summary>
          <ul>
            {hot.map((h) => (
              <li key={h.content_id}>
                <code>{h.title ?? h.content_id.slice(0, 8)}</code> · {h.plays_7d} plays / 7 d{' '}
                {h.on_ssd ? '· on SSD' : ''}
              </li>
            ))}
          </ul>
        </details>
      ) : null}
    </>
  );
}

/** One cache tier's hit rate (null while it has seen no request). */
function Tier({ name, tier: t }: { name: string; tier: Cache['tiers'][string] }) {
  const rate = t.hit_rate;
  return (
    <div class="tier" data-testid="cache-tier" data-tier={name}>
      <span class="stat-label">{name}</span>
      <span class="stat-value">{rate === null ? '—' : percent(rate, rate < 0.1 ? 1 : 0)}</span>
      <span class="muted tiny">
        {t.hits} hits · {t.misses} misses
      </span>
    </div>
  );
}
