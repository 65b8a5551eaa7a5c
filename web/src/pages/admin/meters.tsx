/** The dashboard's figures: a labelled stat, a usage bar against a total, and the disks' bars. */
import { bytes, percent } from '../../format.ts';
import { diskSub } from './format.ts';
import { num, str } from './read.ts';
import type { Dict } from './types.ts';

/** One figure with its label, an optional line under it, and green/red when `good` is known. */
export function Stat({
  label,
  value,
  sub,
  good,
  testid,
}: {
  label: string;
  value: string;
  sub?: string;
  good?: boolean;
  testid?: string;
}) {
  return (
    <div class="stat" data-testid={testid}>
      <span class="stat-label">{label}</span>
      <span class={`stat-value ${good === true ? 'good' : good === false ? 'bad' : ''}`}>
        {value}
      </span>
      {sub ? <span class="stat-sub muted small">{sub}</span> : null}
    </div>
  );
}

/** "used / total (n %)" over a meter bar, which turns hot above 90 %. */
export function UsageBar({
  label,
  used,
  total,
  sub,
  testid,
}: {
  label: string;
  used?: number;
  total?: number;
  sub?: string;
  testid?: string;
}) {
  const ratio = used !== undefined && total ? Math.min(1, used / total) : undefined;
  return (
    <div class="usage" data-testid={testid}>
      <div class="usage-head">
        <span>{label}</span>
        <span class="muted small">
          {bytes(used)} / {bytes(total)} {ratio !== undefined ? `(${percent(ratio)})` : ''}
        </span>
      </div>
      <div
        class="usage-bar"
        role="meter"
        aria-label={`${label} usage`}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={ratio !== undefined ? Math.round(ratio * 100) : undefined}
      >
        <div
          class={`usage-fill ${ratio !== undefined && ratio > 0.9 ? 'hot' : ''}`}
          style={{ width: `${(ratio ?? 0) * 100}%` }}
        />
      </div>
      {sub ? <span class="muted tiny">{sub}</span> : null}
    </div>
  );
}

const DISK_NAMES: Record<string, string> = { ssd: 'SSD cache disk', nas: 'NAS library' };

/** Disks come as a list, or as {ssd: {...}, nas: {...}} (the admin block today). */
export function Disks({ disks }: { disks: unknown }) {
  const list: Array<[string, Dict]> = Array.isArray(disks)
    ? (disks as Dict[]).map((d, i) => [
        str(d.name) ?? str(d.label) ?? str(d.path) ?? str(d.mount) ?? `disk ${i + 1}`,
        d,
      ])
    : Object.entries((disks ?? {}) as Record<string, Dict>).map(([k, d]) => [
        DISK_NAMES[k] ?? k,
        d,
      ]);
  if (!list.length) return null;
  return (
    <div class="disks" data-testid="disks">
      {list.map(([name, d]) => {
        const total = num(d.total_bytes) ?? num(d.size_bytes) ?? num(d.total);
        const free = num(d.free_bytes) ?? num(d.available_bytes) ?? num(d.free);
        const used =
          num(d.used_bytes) ??
          num(d.used) ??
          (total !== undefined && free !== undefined ? total - free : undefined);
        const broken = d.available === false || d.reachable === false;
        const sub = diskSub(d);
        return (
          <div key={name}>
            <UsageBar label={name} used={used} total={total} sub={sub || undefined} />
            {broken ? (
              <p class="block-reason small">
                {d.reachable === false ? 'not reachable' : 'not available'}
                {d.error ? `: ${str(d.error)}` : ''}
              </p>
            ) : null}
          </div>
        );
      })}
    </div>
  );
}
