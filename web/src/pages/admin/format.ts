/**
 * The dashboard's small formatting helpers: what the status, disk, scan and audit fields read as.
 */
import { bytes } from '../../format.ts';
import type { Job, StatusReport } from './types.ts';

type Summary = StatusReport['summary'];

/** " · 3 jobs queued, 1 failed" after the summary's pending users; "" without a queue. */
export function queueText(q: Summary['queue']): string {
  if (!q) return '';
  const waiting = (q.pending ?? 0) + (q.processing ?? 0) + (q.retrying ?? 0);
  const failed = q.failed ?? 0;
  return ` · ${waiting} job${waiting === 1 ? '' : 's'} queued${failed ? `, ${failed} failed` : ''}`;
}

/** This process's share of one core since the previous report. */
export const cpuText = (cpu: StatusReport['cpu']): string => `${cpu.process_percent.toFixed(0)} %`;

/** The line under the CPU figure: whose CPU it is, the load, the cores. */
export const cpuSub = (cpu: StatusReport['cpu']): string =>
  ['this process', `load ${(cpu.load_avg[0] ?? 0).toFixed(2)}`, `${cpu.cores} cores`].join(' · ');

/** Memory in use by this process (its RSS). */
export const memText = (m: StatusReport['memory']): string => bytes(m.process.rss);

/** The line under the memory figure: heap, and the host's use against its total. */
export const memSub = (m: StatusReport['memory']): string =>
  `heap ${bytes(m.process.heap_used)} · host ${bytes(m.used_bytes)} / ${bytes(m.total_bytes)}`;

/** The line under the SSD's bar: its path, and the cache budget on it with what the cache uses. */
export function ssdSub(d: StatusReport['disks']['ssd']): string {
  const budget =
    d.capacity_bytes === null
      ? ''
      : `cache budget ${bytes(d.capacity_bytes)}` +
        (d.cache_used_bytes === null ? '' : `, ${bytes(d.cache_used_bytes)} used`);
  return [d.path, budget].filter(Boolean).join(' · ');
}

/** The counts a finished library scan reports (worker's library_scan result). */
interface ScanCounts {
  scanned?: number;
  new?: number;
  skipped?: number;
}

/** Where a library scan is: done (with its counts), failed (with why), or its progress. */
export function scanText(job: Job): string {
  const result = job.result as ScanCounts | null;
  return job.status === 'completed'
    ? `Done${result ? `: ${result.scanned ?? '?'} files, ${result.new ?? 0} new, ${result.skipped ?? 0} skipped` : ''}`
    : job.status === 'failed'
      ? `Failed: ${job.error ?? 'unknown error'}`
      : `${job.status} · ${Math.round(job.progress)} %`;
}

/** An audit entry's details as "reason: spam · count: 2". */
export function detailsText(details: Record<string, unknown>): string {
  return Object.entries(details)
    .map(([k, v]) => `${k.replace(/_/g, ' ')}: ${typeof v === 'string' ? v : JSON.stringify(v)}`)
    .join(' · ');
}
