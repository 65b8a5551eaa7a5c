/** The dashboard's small formatting helpers: what the status, disk, scan and audit fields read as. */
import { bytes, percent } from '../../format.ts';
import { listOf, num, str } from './read.ts';
import type { Dict, Job } from './types.ts';

/** " · 3 jobs queued, 1 failed" after the summary's pending users; "" without a queue. */
export function queueText(q: unknown): string {
  const d = q as Dict | null | undefined;
  if (!d) return '';
  const waiting = (num(d.pending) ?? 0) + (num(d.processing) ?? 0) + (num(d.retrying) ?? 0);
  const failed = num(d.failed) ?? 0;
  return ` · ${waiting} job${waiting === 1 ? '' : 's'} queued${failed ? `, ${failed} failed` : ''}`;
}

/** CPU as a ratio, a percentage, or a load average, whichever the status has. */
export function cpuText(cpu: unknown): string {
  if (typeof cpu === 'number') return cpu <= 1 ? percent(cpu) : `${cpu.toFixed(0)} %`;
  const c = cpu as Dict | undefined;
  const pct = num(c?.percent) ?? num(c?.usage_percent) ?? num(c?.process_percent);
  if (pct !== undefined) return `${pct.toFixed(0)} %`;
  const load = listOf<number>(c?.load_avg ?? c?.load ?? c?.loadavg);
  if (load?.length) return `load ${load[0].toFixed(2)}`;
  const l1 = num(c?.load_1m) ?? num(c?.load1);
  return l1 !== undefined ? `load ${l1.toFixed(2)}` : '—';
}

/** The line under the CPU figure: whose CPU it is, the load, the cores. */
export function cpuSub(cpu: unknown): string | undefined {
  const c = cpu as Dict | undefined;
  const cores = num(c?.cores) ?? num(c?.count);
  const load = listOf<number>(c?.load_avg ?? c?.load ?? c?.loadavg);
  const parts = [
    num(c?.process_percent) !== undefined ? 'this process' : '',
    load.length && num(c?.process_percent) !== undefined ? `load ${load[0].toFixed(2)}` : '',
    cores ? `${cores} cores` : '',
  ];
  return parts.filter(Boolean).join(' · ') || undefined;
}

/** Memory in use: the process's RSS when reported, else the host's. */
export function memText(m: unknown): string {
  const d = m as Dict | undefined;
  const proc = d?.process as Dict | undefined;
  const used =
    num(proc?.rss) ?? num(d?.rss_bytes) ?? num(d?.rss) ?? num(d?.used_bytes) ?? num(d?.used);
  return used !== undefined ? bytes(used) : typeof m === 'number' ? bytes(m) : '—';
}

/** The line under the memory figure: heap, and the host's use against its total. */
export function memSub(m: unknown): string | undefined {
  const d = m as Dict | undefined;
  const proc = d?.process as Dict | undefined;
  const total = num(d?.total_bytes) ?? num(d?.total);
  const sysUsed = num(d?.used_bytes);
  const heap = num(proc?.heap_used) ?? num(d?.heap_used_bytes) ?? num(d?.heap_used);
  if (proc)
    return (
      [heap ? `heap ${bytes(heap)}` : '', total ? `host ${bytes(sysUsed)} / ${bytes(total)}` : '']
        .filter(Boolean)
        .join(' · ') || undefined
    );
  return (
    [total ? `of ${bytes(total)}` : '', heap ? `heap ${bytes(heap)}` : '']
      .filter(Boolean)
      .join(' · ') || undefined
  );
}

/** The line under a disk's bar: its path, and the cache budget on it with what the cache uses. */
export function diskSub(d: Dict): string {
  const budget = num(d.capacity_bytes);
  return [
    str(d.path),
    budget !== undefined
      ? `cache budget ${bytes(budget)}${num(d.cache_used_bytes) !== undefined ? `, ${bytes(num(d.cache_used_bytes))} used` : ''}`
      : '',
  ]
    .filter(Boolean)
    .join(' · ');
}

/** Where a library scan is: done (with its counts), failed (with why), or its progress. */
export function scanText(job: Job): string {
  const result = job.result as Dict | null | undefined;
  return job.status === 'completed'
    ? `Done${result ? `: ${num(result.scanned) ?? '?'} files, ${num(result.new) ?? 0} new, ${num(result.skipped) ?? 0} skipped` : ''}`
    : job.status === 'failed'
      ? `Failed: ${job.error ?? 'unknown error'}`
      : `${job.status} · ${Math.round(job.progress ?? 0)} %`;
}

/** An audit entry's details as "reason: spam · count: 2". */
export function detailsText(details: Dict | undefined): string {
  return Object.entries(details ?? {})
    .map(([k, v]) => `${k.replace(/_/g, ' ')}: ${typeof v === 'string' ? v : JSON.stringify(v)}`)
    .join(' · ');
}
