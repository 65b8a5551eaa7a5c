/**
 * Request metrics kept in plain numbers on the hot path and rendered in Prometheus text format
 * when scraped. A labelled prom-client counter costs several hundred nanoseconds per update,
 * which would be most of an in-process request; process metrics still come from prom-client.
 */
import { collectDefaultMetrics, Registry } from 'prom-client';
import type { BusCounters } from './bus/types.ts';

const BUCKETS_S = [0.0001, 0.0005, 0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export class ActionStats {
  requests = 0;
  readonly errors = new Map<string, number>();
  readonly buckets = new Array<number>(BUCKETS_S.length).fill(0);
  sumSeconds = 0;

  constructor(
    readonly block: string,
    readonly contract: string,
    readonly action: string,
  ) {}

  observe(seconds: number): void {
    this.requests++;
    this.sumSeconds += seconds;
    for (let i = 0; i < BUCKETS_S.length; i++) {
      if (seconds <= BUCKETS_S[i]) {
        this.buckets[i]++;
        return;
      }
    }
  }

  error(code: string): void {
    this.errors.set(code, (this.errors.get(code) ?? 0) + 1);
  }
}

export interface GaugeSource {
  bus: () => BusCounters & { rejected: number };
  breakers: () => Array<{ block: string; state: 'closed' | 'open' | 'half-open' }>;
  transportUp: () => boolean;
}

export class OrchestratorMetrics {
  /** contract → action → stats; nested so the hot path never builds a joined key. */
  private readonly stats = new Map<string, Map<string, ActionStats>>();
  readonly process = new Registry();
  readonly drops = new Map<string, number>();

  constructor(
    private readonly gauges: GaugeSource,
    collectProcess = true,
  ) {
    if (collectProcess) collectDefaultMetrics({ register: this.process, prefix: 'wsoptv_' });
  }

  action(block: string, contract: string, action: string): ActionStats {
    let byAction = this.stats.get(contract);
    if (!byAction) this.stats.set(contract, (byAction = new Map<string, ActionStats>()));
    let s = byAction.get(action);
    if (!s) byAction.set(action, (s = new ActionStats(block, contract, action)));
    return s;
  }

  private all(): ActionStats[] {
    return [...this.stats.values()].flatMap((m) => [...m.values()]);
  }

  countDrop(reason: string): void {
    this.drops.set(reason, (this.drops.get(reason) ?? 0) + 1);
  }

  async render(): Promise<string> {
    const out: string[] = [];
    const stats = this.all();
    const lbl = (s: ActionStats) =>
      `block="${s.block}",contract="${s.contract}",action="${esc(s.action)}"`;
    out.push(
      '# HELP wsoptv_requests_total Requests handled per block action (as seen by the caller).',
    );
    out.push('# TYPE wsoptv_requests_total counter');
    for (const s of stats) out.push(`wsoptv_requests_total{${lbl(s)}} ${s.requests}`);
    out.push('# HELP wsoptv_request_errors_total Failed requests per block action and error code.');
    out.push('# TYPE wsoptv_request_errors_total counter');
    for (const s of stats)
      for (const [code, n] of s.errors)
        out.push(`wsoptv_request_errors_total{${lbl(s)},code="${esc(code)}"} ${n}`);
    out.push('# HELP wsoptv_request_duration_seconds Request latency per block action.');
    out.push('# TYPE wsoptv_request_duration_seconds histogram');
    for (const s of stats) {
      let cumulative = 0;
      BUCKETS_S.forEach((le, i) => {
        cumulative += s.buckets[i];
        out.push(`wsoptv_request_duration_seconds_bucket{${lbl(s)},le="${le}"} ${cumulative}`);
      });
      out.push(`wsoptv_request_duration_seconds_bucket{${lbl(s)},le="+Inf"} ${s.requests}`);
      out.push(`wsoptv_request_duration_seconds_sum{${lbl(s)}} ${s.sumSeconds}`);
      out.push(`wsoptv_request_duration_seconds_count{${lbl(s)}} ${s.requests}`);
    }
    const bus = this.gauges.bus();
    out.push('# HELP wsoptv_bus_messages_total Bus messages by outcome on this node.');
    out.push('# TYPE wsoptv_bus_messages_total counter');
    for (const k of ['published', 'delivered', 'dropped', 'handler_errors', 'rejected'] as const)
      out.push(`wsoptv_bus_messages_total{outcome="${k}"} ${bus[k]}`);
    out.push('# HELP wsoptv_bus_durable_total Durable event deliveries on this node by outcome.');
    out.push('# TYPE wsoptv_bus_durable_total counter');
    const durable = {
      handled: bus.durable_handled,
      retried: bus.durable_retried,
      dead_lettered: bus.durable_dead_lettered,
      skipped: bus.durable_skipped,
      duplicate: bus.durable_duplicates,
    };
    for (const [k, v] of Object.entries(durable))
      out.push(`wsoptv_bus_durable_total{outcome="${k}"} ${v}`);
    out.push('# HELP wsoptv_bus_dropped_total Dropped bus messages by reason.');
    out.push('# TYPE wsoptv_bus_dropped_total counter');
    for (const [reason, n] of this.drops)
      out.push(`wsoptv_bus_dropped_total{reason="${esc(reason)}"} ${n}`);
    out.push('# HELP wsoptv_bus_transport_up 1 when the bus transport is connected.');
    out.push('# TYPE wsoptv_bus_transport_up gauge');
    out.push(`wsoptv_bus_transport_up ${this.gauges.transportUp() ? 1 : 0}`);
    out.push(
      '# HELP wsoptv_breaker_state Circuit breaker state per target block: 0 closed, 1 half-open, 2 open.',
    );
    out.push('# TYPE wsoptv_breaker_state gauge');
    for (const b of this.gauges.breakers())
      out.push(
        `wsoptv_breaker_state{block="${b.block}"} ${b.state === 'closed' ? 0 : b.state === 'half-open' ? 1 : 2}`,
      );
    return out.join('\n') + '\n' + (await this.process.metrics());
  }
}

function esc(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}
