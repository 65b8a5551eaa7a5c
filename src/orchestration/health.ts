/**
 * The health monitor. Three sources of truth:
 *  - blocks in this process: their own health() every `healthIntervalMs`, plus their declared
 *    dependencies (a required contract nobody serves degrades the block);
 *  - blocks in other processes: heartbeats every `heartbeatIntervalMs`; an instance silent for
 *    `livenessTimeoutMs` is unhealthy, so a killed process is noticed in well under 2 s;
 *  - external blocks with an HTTP health URL, polled every `httpHealthIntervalMs` (spec: 30 s):
 *    200 → healthy, another status → degraded, no answer → unhealthy.
 * Status changes of a block as a whole become `block_unhealthy` / `block_recovered` on the
 * system channel. Every node sees the same heartbeats, so to publish each change once only the
 * longest-running live node (the leader) announces it: it has watched the longest, so it has
 * seen the "before" of every change a newer node may have missed.
 */
import type { BlockStatus } from './block.ts';
import { createEnvelope, type Envelope } from './message.ts';
import type { OrchestratorSettings } from './settings.ts';
import type { BlockInfo, BlockRegistry } from './registry.ts';
import type { LocalBlock } from './local-block.ts';
import type { MessageBus } from './bus/types.ts';
import { errorMessage } from '../platform/errors.ts';
import {
  EXTERNAL_NODE,
  externalBlockInfo,
  pollHealthUrl,
  type ExternalBlock,
} from './health-external.ts';

/** What the monitor needs from the orchestrator (kept narrow so neither imports the other). */
export interface HealthHost {
  readonly nodeId: string;
  readonly registry: BlockRegistry;
  readonly bus: MessageBus;
  reject(channel: string, reason: string, correlationId?: string): void;
  localBlockEntries(): LocalBlock[];
  setLocalStatus(block: LocalBlock, status: BlockStatus, reason: string | null): void;
  missingDependencies(block: LocalBlock): string[];
  publishSystem(
    event: 'block_unhealthy' | 'block_recovered' | 'breaker_state_changed',
    payload: Record<string, unknown>,
  ): void;
  blockIsBack(block: string): void;
  /** A node went silent: requests waiting on it will get no answer. */
  nodeLost(nodeId: string): void;
}

export const HEARTBEAT_CHANNEL = 'heartbeat';
const DOWN: ReadonlySet<BlockStatus> = new Set(['unhealthy', 'stopped']);
const UP: ReadonlySet<BlockStatus> = new Set(['healthy', 'degraded']);

export class HealthMonitor {
  private timers: NodeJS.Timeout[] = [];
  private readonly lastAggregate = new Map<string, BlockStatus>();
  /** Other live nodes: when each was last heard and when it started (for leader choice). */
  private readonly lastHeard = new Map<string, { at: number; since: number }>();
  private readonly since = Date.now();
  private readonly external = new Map<string, BlockInfo>();
  private checking = false;

  constructor(
    private readonly orch: HealthHost,
    private readonly settings: OrchestratorSettings,
  ) {}

  start(): void {
    const every = (ms: number, fn: () => unknown) => {
      const t = setInterval(fn, ms);
      t.unref();
      this.timers.push(t);
    };
    every(this.settings.heartbeatIntervalMs, () => this.sendHeartbeat());
    every(this.settings.healthIntervalMs, () => this.checkLocal());
    every(Math.max(50, Math.floor(this.settings.livenessTimeoutMs / 8)), () => this.sweepRemote());
    every(this.settings.httpHealthIntervalMs, () => this.checkExternal());
    this.sendHeartbeat();
    if (this.external.size) void this.checkExternal();
    this.evaluate();
  }

  stop(): void {
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
  }

  /** Asks the other nodes to introduce themselves and waits one heartbeat for their answers. */
  async discover(): Promise<void> {
    await this.send('node_hello', []);
    await new Promise((r) => setTimeout(r, this.settings.heartbeatIntervalMs));
  }

  async announceLeaving(): Promise<void> {
    await this.send('node_leaving', this.localInfos());
  }

  addExternal(partial: ExternalBlock): void {
    const info = externalBlockInfo(partial);
    this.external.set(info.id, info);
    this.orch.registry.upsert(info);
  }

  onHeartbeat(m: Envelope): void {
    const p = m.payload as { node_id?: unknown; blocks?: unknown; since?: unknown };
    if (!p || typeof p.node_id !== 'string' || !Array.isArray(p.blocks)) {
      this.orch.reject(HEARTBEAT_CHANNEL, 'malformed heartbeat (needs node_id and blocks)');
      return;
    }
    if (p.node_id === this.orch.nodeId) return;
    if (m.event_type === 'node_hello') {
      this.sendHeartbeat();
      return;
    }
    const now = Date.now();
    const leaving = m.event_type === 'node_leaving';
    const listed = new Set<string>();
    for (const raw of p.blocks as Partial<BlockInfo>[]) {
      if (
        !raw ||
        typeof raw.id !== 'string' ||
        !Array.isArray(raw.contracts) ||
        typeof raw.status !== 'string'
      )
        continue;
      listed.add(raw.id);
      this.orch.registry.upsert({
        ...(raw as BlockInfo),
        node_id: p.node_id,
        status: leaving ? 'stopped' : raw.status,
        last_seen: now,
      });
    }
    for (const info of this.orch.registry.instancesOfNode(p.node_id))
      if (!listed.has(info.id)) this.orch.registry.remove(info.id, p.node_id);
    if (leaving) this.lastHeard.delete(p.node_id);
    else
      this.lastHeard.set(p.node_id, {
        at: now,
        since: typeof p.since === 'number' ? p.since : now,
      });
    this.evaluate();
  }

  private localInfos(): BlockInfo[] {
    return this.orch.localBlockEntries().map((b) => b.info);
  }

  /** Sends this node's heartbeat now (after a change other nodes should learn at once). */
  beatNow(): Promise<void> {
    return this.send('node_heartbeat', this.localInfos());
  }

  private sendHeartbeat(): void {
    this.send('node_heartbeat', this.localInfos()).catch(() => {
      // The transport is down; /health reports it and the next beat tries again.
    });
  }

  private send(kind: string, blocks: BlockInfo[]): Promise<void> {
    return this.orch.bus.publish(
      HEARTBEAT_CHANNEL,
      createEnvelope({
        source_block: 'orchestrator',
        event_type: kind,
        payload: { node_id: this.orch.nodeId, since: this.since, blocks },
      }),
    );
  }

  private async checkLocal(): Promise<void> {
    if (this.checking) return; // a slow health() must not pile up checks
    this.checking = true;
    try {
      await Promise.all(
        this.orch.localBlockEntries().map(async (b) => {
          if (!b.runtime || b.info.status === 'stopped' || b.info.status === 'starting') return;
          try {
            b.report = b.runtime.health
              ? await withTimeout(
                  Promise.resolve(b.runtime.health()),
                  this.settings.healthTimeoutMs,
                )
              : { status: 'healthy' };
          } catch (err) {
            b.report = {
              status: 'unhealthy',
              reason: `health check failed: ${errorMessage(err)}`,
            };
          }
          const missing = this.orch.missingDependencies(b);
          b.dependencyProblem = missing.length
            ? `missing dependency: ${missing.join(', ')} (no block serves it)`
            : null;
          if (b.report.status === 'healthy' && b.dependencyProblem)
            this.orch.setLocalStatus(b, 'degraded', b.dependencyProblem);
          else this.orch.setLocalStatus(b, b.report.status, b.report.reason ?? null);
        }),
      );
    } finally {
      this.checking = false;
    }
    this.evaluate();
  }

  private sweepRemote(): void {
    const now = Date.now();
    const lost = new Set<string>();
    for (const info of this.orch.registry.list()) {
      if (info.node_id === this.orch.nodeId || info.node_id === EXTERNAL_NODE) continue;
      const silent = now - info.last_seen;
      if (silent > this.settings.registryTtlMs) this.orch.registry.remove(info.id, info.node_id);
      else if (
        silent > this.settings.livenessTimeoutMs &&
        info.status !== 'unhealthy' &&
        info.status !== 'stopped'
      ) {
        info.status = 'unhealthy';
        info.status_reason = `no heartbeat from node ${info.node_id} for ${silent} ms`;
        lost.add(info.node_id);
      }
    }
    for (const node of lost) this.orch.nodeLost(node);
    for (const [node, heard] of this.lastHeard)
      if (now - heard.at > this.settings.livenessTimeoutMs) this.lastHeard.delete(node);
    this.evaluate();
  }

  private async checkExternal(): Promise<void> {
    const timeoutMs = this.settings.healthTimeoutMs;
    await Promise.all([...this.external.values()].map((info) => pollHealthUrl(info, timeoutMs)));
    this.evaluate();
  }

  private isLeader(): boolean {
    for (const [node, heard] of this.lastHeard) {
      if (heard.since < this.since || (heard.since === this.since && node < this.orch.nodeId))
        return false;
    }
    return true;
  }

  /** Compares each block's overall status with the last one and announces changes. */
  evaluate(): void {
    const leader = this.isLeader();
    const ids = this.orch.registry.blockIds();
    for (const id of ids) {
      const now = this.orch.registry.aggregateStatus(id)!;
      // `starting` is a passage, not a state to compare with: stopped → starting → healthy is a
      // recovery, and a block seen first while starting has no "before" yet.
      if (now === 'starting') continue;
      const before = this.lastAggregate.get(id) ?? null;
      this.lastAggregate.set(id, now);
      if (before === now) continue;
      const down = DOWN.has(now) && (before === null ? false : !DOWN.has(before));
      const back = UP.has(now) && before !== null && DOWN.has(before);
      if (back) this.orch.blockIsBack(id);
      if (!leader) continue;
      if (!down && !back) continue;
      const instance = this.orch.registry.instancesOf(id).find((i) => i.status === now);
      this.orch.publishSystem(down ? 'block_unhealthy' : 'block_recovered', {
        block_id: id,
        status: now,
        previous: before,
        reason: instance?.status_reason ?? null,
        node_id: instance?.node_id ?? null,
      });
    }
    for (const id of this.lastAggregate.keys())
      if (!ids.includes(id)) this.lastAggregate.delete(id);
  }
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let t: NodeJS.Timeout;
  return Promise.race([
    p.finally(() => clearTimeout(t)),
    new Promise<never>((_, reject) => {
      t = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
    }),
  ]);
}
