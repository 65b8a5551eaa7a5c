/**
 * The block registry: every block instance this node knows of, local or in another process.
 * With Redis each node learns the others from their heartbeats, so every process sees every
 * block of every other process; an instance whose heartbeats stop turns unhealthy and later
 * leaves the registry.
 */

export type BlockStatus = 'starting' | 'healthy' | 'degraded' | 'unhealthy' | 'stopped';

export interface BlockInfo {
  id: string;
  name: string;
  version: string;
  status: BlockStatus;
  status_reason: string | null;
  endpoints: string[];
  dependencies: string[];
  health_url: string;
  /** Contract versions served, e.g. ['auth:v1', 'auth:v2']. */
  contracts: string[];
  /** The process hosting this instance. */
  node_id: string;
  /**
   * Base URL of that process's HTTP server (set once it listens); a gateway proxies the block's
   * routes there.
   */
  http_url?: string | null;
  started_at: string;
  /** Last time (epoch ms, receiver's clock) this node heard of the instance. */
  last_seen: number;
}

const SERVING: ReadonlySet<BlockStatus> = new Set(['healthy', 'degraded']);
const STATUS_RANK: Record<BlockStatus, number> = {
  healthy: 4,
  degraded: 3,
  starting: 2,
  unhealthy: 1,
  stopped: 0,
};

export class BlockRegistry {
  private readonly instances = new Map<string, BlockInfo>();
  private rr = 0;

  constructor(readonly localNodeId: string) {}

  static key(blockId: string, nodeId: string): string {
    return `${blockId}@${nodeId}`;
  }

  upsert(info: BlockInfo): void {
    this.instances.set(BlockRegistry.key(info.id, info.node_id), info);
  }

  get(blockId: string, nodeId: string): BlockInfo | undefined {
    return this.instances.get(BlockRegistry.key(blockId, nodeId));
  }

  remove(blockId: string, nodeId: string): void {
    this.instances.delete(BlockRegistry.key(blockId, nodeId));
  }

  removeNode(nodeId: string): BlockInfo[] {
    const gone: BlockInfo[] = [];
    for (const [key, info] of this.instances) {
      if (info.node_id === nodeId) {
        gone.push(info);
        this.instances.delete(key);
      }
    }
    return gone;
  }

  list(): BlockInfo[] {
    return [...this.instances.values()].sort(
      (a, b) => a.id.localeCompare(b.id) || a.node_id.localeCompare(b.node_id),
    );
  }

  blockIds(): string[] {
    return [...new Set([...this.instances.values()].map((i) => i.id))].sort();
  }

  instancesOf(blockId: string): BlockInfo[] {
    return [...this.instances.values()].filter((i) => i.id === blockId);
  }

  instancesOfNode(nodeId: string): BlockInfo[] {
    return [...this.instances.values()].filter((i) => i.node_id === nodeId);
  }

  nodes(): string[] {
    return [...new Set([...this.instances.values()].map((i) => i.node_id))];
  }

  isServing(info: BlockInfo): boolean {
    return SERVING.has(info.status);
  }

  /**
   * Picks an instance able to serve a contract: the local one when there is one (no network
   * hop), otherwise remote ones in turn.
   */
  pickServer(contractId: string): BlockInfo | undefined {
    let local: BlockInfo | undefined;
    const remote: BlockInfo[] = [];
    for (const info of this.instances.values()) {
      if (!SERVING.has(info.status) || !info.contracts.includes(contractId)) continue;
      if (info.node_id === this.localNodeId) local = info;
      else remote.push(info);
    }
    if (local) return local;
    if (remote.length === 0) return undefined;
    return remote[this.rr++ % remote.length];
  }

  /** Whether any instance of the block exists, whatever contract versions it serves. */
  hasBlock(blockId: string): boolean {
    for (const info of this.instances.values()) if (info.id === blockId) return true;
    return false;
  }

  /** The best status among a block's instances: a block is up while any instance is. */
  aggregateStatus(blockId: string): BlockStatus | undefined {
    let best: BlockStatus | undefined;
    for (const info of this.instances.values()) {
      if (info.id !== blockId) continue;
      if (!best || STATUS_RANK[info.status] > STATUS_RANK[best]) best = info.status;
    }
    return best;
  }
}
