/** test-results/chaos.json and the summary table printed at the end of a run. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { RESULTS } from './deployment.ts';

// The SQLite run (the default) is the one `npm run metrics` reads; a PostgreSQL run keeps its own
// file.
export const CHAOS_JSON = join(
  RESULTS,
  process.env.CHAOS_DB === 'postgres' ? 'chaos-postgres.json' : 'chaos.json',
);

export interface Check {
  name: string;
  ok: boolean;
  detail: string;
}

export interface BlockResult {
  /**
   * Share of requests not needing the killed block that succeeded while it was down and coming
   * back.
   */
  unaffected_success_rate: number | null;
  unaffected_requests: number;
  unaffected_failures: number;
  affected_requests: number;
  affected_succeeded: number;
  /** Kill → block_unhealthy on the system channel. */
  detection_ms: number | null;
  /** Kill → the gateway's /api/blocks no longer lists the block as serving. */
  gateway_detection_ms: number | null;
  /** Kill → block_recovered. */
  recovery_ms: number | null;
  /** Kill → block healthy, every breaker for it closed and its normal path answering. */
  healthy_again_ms: number | null;
  pid_before: number | null;
  pid_after: number | null;
  /** Processes whose circuit breaker for the block opened while it was down. */
  breaker_opened_in: number;
  breakers_closed_after: boolean;
  fallback: Check[];
  jobs_lost: number | null;
  events_lost: number | null;
  duplicates: number | null;
  window: { from: string; to: string };
  failures_sample: unknown[];
  passed: boolean;
  problems: string[];
}

export interface ChaosReport {
  generated_at: string;
  started_at: string;
  finished_at: string | null;
  duration_s: number | null;
  mode: string;
  /** Where the blocks keep their data: SQLite files, or PostgreSQL schemas (CHAOS_DB=postgres). */
  database: 'sqlite' | 'postgres';
  machine: {
    cpus: number;
    loadavg_start: number[];
    loadavg_end: number[] | null;
    node: string;
    platform: string;
  };
  targets: { unaffected_success_rate: number; detection_ms: number; redis_recovery_ms: number };
  load: {
    requests: number;
    duration_s: number | null;
    rate_rps: number | null;
    by_kind: Record<string, number>;
  };
  baseline: { requests: number; success_rate: number | null; failures_sample: unknown[] } | null;
  blocks: Record<string, BlockResult>;
  redis_restart: Record<string, unknown> | null;
  floods: { bus: Record<string, unknown> | null; http: Record<string, unknown> | null };
  totals: {
    items_created: number;
    scan_jobs_accepted: number;
    jobs_lost: number | null;
    events_lost: number | null;
    duplicates: number | null;
    durable_duplicates_hash: Record<string, string> | null;
    durable_available: boolean;
  };
  passed: boolean;
  problems: string[];
}

export function writeReport(report: ChaosReport): void {
  mkdirSync(RESULTS, { recursive: true });
  writeFileSync(CHAOS_JSON, JSON.stringify(report, null, 2) + '\n');
}

const fmt = (v: number | null | undefined, digits = 0) =>
  v === null || v === undefined ? '—' : v.toFixed(digits);
const pct = (v: number | null) => (v === null ? '—' : `${(v * 100).toFixed(2)}%`);

export function summaryTable(report: ChaosReport): string {
  const head = [
    'block',
    'unaffected ok',
    'requests',
    'detect ms',
    'recover ms',
    'healthy ms',
    'breakers open',
    'jobs lost',
    'events lost',
    'dups',
    'fallback',
    'result',
  ];
  const rows = Object.entries(report.blocks).map(([id, b]) => [
    id,
    pct(b.unaffected_success_rate),
    String(b.unaffected_requests),
    fmt(b.detection_ms),
    fmt(b.recovery_ms),
    fmt(b.healthy_again_ms),
    String(b.breaker_opened_in),
    fmt(b.jobs_lost),
    fmt(b.events_lost),
    fmt(b.duplicates),
    `${b.fallback.filter((c) => c.ok).length}/${b.fallback.length}`,
    b.passed ? 'ok' : 'FAIL',
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  const out = [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)];
  const r = report.redis_restart as {
    outage_ms?: number;
    recovery_ms?: number;
    health_503_seen?: boolean;
    passed?: boolean;
  } | null;
  if (r)
    out.push(
      `redis restart: outage ${fmt(r.outage_ms)} ms, /health 503 seen: ${r.health_503_seen}, recovered ${fmt(r.recovery_ms)} ms after Redis answered — ${r.passed ? 'ok' : 'FAIL'}`,
    );
  const bus = report.floods.bus as { frames?: number; crashed?: string[]; passed?: boolean } | null;
  if (bus)
    out.push(
      `bus flood: ${bus.frames} frames, crashed: ${bus.crashed?.length ? bus.crashed.join(',') : 'none'} — ${bus.passed ? 'ok' : 'FAIL'}`,
    );
  const http = report.floods.http as {
    requests?: number;
    five_xx?: number;
    rate_rps?: number;
    crashed?: string[];
    passed?: boolean;
  } | null;
  if (http)
    out.push(
      `http flood: ${http.requests} requests at ${fmt(http.rate_rps)} req/s, 5xx: ${http.five_xx}, crashed: ${http.crashed?.length ? http.crashed.join(',') : 'none'} — ${http.passed ? 'ok' : 'FAIL'}`,
    );
  out.push(
    `load: ${report.load.requests} requests at ${fmt(report.load.rate_rps, 1)} req/s; baseline success ${pct(report.baseline?.success_rate ?? null)}; run ${fmt(report.duration_s)} s; load average ${report.machine.loadavg_start.map((l) => l.toFixed(1)).join('/')} → ${report.machine.loadavg_end?.map((l) => l.toFixed(1)).join('/') ?? '—'}`,
  );
  out.push(
    `totals: items ${report.totals.items_created}, scans ${report.totals.scan_jobs_accepted}, jobs lost ${fmt(report.totals.jobs_lost)}, events lost ${fmt(report.totals.events_lost)}, duplicates ${fmt(report.totals.duplicates)}${report.totals.durable_available ? '' : ' (no durable event counters in /metrics)'}`,
  );
  return out.join('\n');
}
