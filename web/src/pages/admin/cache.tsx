/** Cache: hit rate per tier, SSD usage against its budget, stream slots, hot videos. /api/admin/cache every 5 s. */
import { percent } from '../../format.ts';
import { useApi } from '../../hooks.ts';
import { UsageBar } from './meters.tsx';
import { LoadState, Panel } from './parts.tsx';
import { listOf, num, str } from './read.ts';
import type { Dict } from './types.ts';

export function CachePanel() {
  const c = useApi<Dict>('/api/admin/cache', { refreshMs: 5000 });
  const tiers = (c.data?.tiers ?? {}) as Record<string, Dict> | Dict[];
  const tierList: Array<[string, Dict]> = Array.isArray(tiers)
    ? tiers.map((t, i) => [str(t.name) ?? str(t.tier) ?? `tier ${i + 1}`, t])
    : Object.entries(tiers);
  const ssd = c.data?.ssd as Dict | undefined;
  const hot = listOf<Dict>(c.data?.hot_contents);
  return (
    <Panel id="cache" title="Cache">
      <LoadState of={c} />
      {c.data ? (
        <>
          <div class="tier-grid" data-testid="cache-tiers">
            {tierList.map(([name, t]) => (
              <Tier key={name} name={name} tier={t} />
            ))}
          </div>
          {ssd ? (
            <UsageBar
              label={`SSD cache · ${num(ssd.files) ?? 0} files`}
              used={num(ssd.used_bytes)}
              total={num(ssd.capacity_bytes)}
              testid="ssd-usage"
            />
          ) : null}
          {num(c.data.active_slots) !== undefined ? (
            <p class="muted small">Stream slots in use: {num(c.data.active_slots)}</p>
          ) : null}
          {hot.length ? (
            <details class="hot">
              <summary>Hot videos ({hot.length})</summary>
              <ul>
                {hot.map((h) => (
                  <li key={str(h.content_id)}>
                    <code>{str(h.title) ?? str(h.content_id)?.slice(0, 8)}</code> ·{' '}
                    {num(h.plays_7d)} plays / 7 d {h.on_ssd ? '· on SSD' : ''}
                  </li>
                ))}
              </ul>
            </details>
          ) : null}
        </>
      ) : null}
    </Panel>
  );
}

/** One cache tier's hit rate (reported, or from its hits and misses). */
function Tier({ name, tier: t }: { name: string; tier: Dict }) {
  const hits = num(t.hits) ?? 0;
  const misses = num(t.misses) ?? 0;
  const rate = num(t.hit_rate) ?? (hits + misses > 0 ? hits / (hits + misses) : undefined);
  return (
    <div class="tier" data-testid="cache-tier" data-tier={name}>
      <span class="stat-label">{name}</span>
      <span class="stat-value">{rate === undefined ? '—' : percent(rate, rate < 0.1 ? 1 : 0)}</span>
      <span class="muted tiny">
        {hits} hits · {misses} misses
      </span>
    </div>
  );
}
