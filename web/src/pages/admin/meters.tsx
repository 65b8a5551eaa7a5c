/** The dashboard's figures: a labelled stat, a usage bar against a total, and the disks' bars. */
import { bytes, percent } from '../../format.ts';
import { ssdSub } from './format.ts';
import type { Disk as DiskFigures, StatusReport } from './types.ts';

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

/** The SSD (as the cache block reports it) and the NAS library, each a bar with what is wrong. */
export function Disks({ disks }: { disks: StatusReport['disks'] }) {
  const { ssd, nas } = disks;
  return (
    <div class="disks" data-testid="disks">
      <Disk name="SSD cache disk" disk={ssd} sub={ssdSub(ssd)} broken={!ssd.available} />
      <Disk
        name="NAS library"
        disk={nas}
        sub={nas.path}
        broken={!nas.available || !nas.reachable}
        why={nas.reachable ? 'not available' : 'not reachable'}
      />
    </div>
  );
}

function Disk({
  name,
  disk: d,
  sub,
  broken,
  why = 'not available',
}: {
  name: string;
  disk: Pick<DiskFigures, 'total_bytes' | 'free_bytes' | 'used_bytes' | 'error'>;
  sub: string;
  broken: boolean;
  why?: string;
}) {
  const total = d.total_bytes ?? undefined;
  const used =
    d.used_bytes ??
    (d.total_bytes !== null && d.free_bytes !== null ? d.total_bytes - d.free_bytes : undefined);
  return (
    <div>
      <UsageBar label={name} used={used} total={total} sub={sub || undefined} />
      {broken ? (
        <p class="block-reason small">
          {why}
          {d.error ? `: ${d.error}` : ''}
        </p>
      ) : null}
    </div>
  );
}
