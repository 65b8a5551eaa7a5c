/**
 * GET /api/admin/status: the whole system on one page, in < 500 ms whatever is down. Blocks and
 * breakers come from the orchestrator's system view (no call); the other blocks are probed in
 * parallel with a short timeout each, a failure shown as data, never thrown. File-system checks
 * race a timer too, and at most one check per path is in flight: a hung NAS mount must not tie up
 * a new libuv thread on every refresh of the dashboard.
 */
import os from 'node:os';
import { access, constants, statfs } from 'node:fs/promises';
import {
  isInfrastructureError,
  productionContracts,
  toBlockError,
  type ActionInput,
  type ActionName,
  type ActionOutput,
  type BlockClient,
  type ContractId,
  type SystemView,
} from '../../orchestration/index.ts';
import { errorMessage } from '../../platform/errors.ts';
import { STATUS_PROBE_MS } from './models.ts';
import type { Check, Disk, StatusReport } from './responses.ts';

const FS_PROBE_MS = 200;

const since = (t: number) => Math.round((performance.now() - t) * 10) / 10;

/**
 * The SSD as the cache block sees it; while the cache cannot answer, every figure is null and
 * `error` says why.
 */
function ssdDisk(
  ssd: ActionOutput<'cache:v1', 'get_cache_stats'>['ssd'] | undefined,
  check: Check,
): StatusReport['disks']['ssd'] {
  const fs = ssd?.filesystem;
  const error = !ssd
    ? `the cache service is not answering (${check.code}): ${check.message}`
    : fs === undefined
      ? 'the cache service does not report its disk'
      : fs === null
        ? 'the cache service could not read its disk'
        : null;
  return {
    path: ssd?.dir ?? null,
    available: !!fs,
    total_bytes: fs?.total_bytes ?? null,
    free_bytes: fs?.free_bytes ?? null,
    used_bytes: fs?.used_bytes ?? null,
    error,
    capacity_bytes: ssd?.capacity_bytes ?? null,
    cache_used_bytes: ssd?.used_bytes ?? null,
  };
}

export class SystemProbe {
  private readonly inflight = new Map<string, Promise<unknown>>();
  private lastCpu = { at: performance.now(), usage: process.cpuUsage() };

  constructor(
    private readonly system: SystemView,
    private readonly libraryDir: string,
  ) {}

  replayDeadLetter(channel: string, group: string, id: string): Promise<boolean> {
    return this.system.replayDeadLetter(channel, group, id);
  }

  /** Events no block could handle after repeated tries; the message is shortened for the page. */
  async deadLetters(limit: number) {
    const letters = await this.system.deadLetters(limit);
    return {
      items: letters.map(({ raw, ...l }) => ({
        ...l,
        message: raw.length > 1000 ? `${raw.slice(0, 1000)}…` : raw,
      })),
    };
  }

  async report(via: BlockClient): Promise<StatusReport> {
    const started = performance.now();
    const lib = this.libraryDir;
    const [nas, reach, streams, cache, queue, pending] = await Promise.all([
      this.disk(lib),
      this.once(`access:${lib}`, () => access(lib, constants.R_OK)).then(() => null, errorMessage),
      this.probe(via, 'stream:v1', 'get_active_streams', {}),
      this.probe(via, 'cache:v1', 'get_cache_stats', {}),
      this.probe(via, 'worker:v1', 'get_queue_stats', {}),
      this.probe(via, 'auth:v1', 'list_users', { status: 'pending_approval', limit: 1 }),
    ]);
    const blocks = this.system.blocks().map((b) => ({
      id: b.id,
      name: b.name,
      version: b.version,
      status: b.status,
      status_reason: b.status_reason,
      up: b.status === 'healthy' || b.status === 'degraded',
      contracts: b.contracts,
      node_id: b.node_id,
      started_at: b.started_at,
      last_seen: new Date(b.last_seen).toISOString(),
      breaker: b.breaker,
    }));
    const known = new Set(blocks.map((b) => b.id));
    const cacheStats = cache.value;
    return {
      node_id: this.system.nodeId,
      generated_at: new Date().toISOString(),
      took_ms: since(started),
      uptime_s: Math.round(process.uptime()),
      transport: this.system.transport(),
      blocks,
      missing_blocks: [...new Set(productionContracts.map((c) => c.block))]
        .filter((b) => b !== 'orchestrator' && !known.has(b))
        .sort(),
      dependencies: {
        auth: pending.check,
        stream: streams.check,
        cache: cache.check,
        worker: queue.check,
      },
      summary: {
        active_streams: streams.value?.length ?? null,
        pending_users: pending.value?.total ?? null,
        queue: queue.value ?? null,
        cache_hit_rate: cacheStats
          ? Object.fromEntries(
              Object.entries(cacheStats.tiers).map(([tier, t]) => [tier, t.hit_rate]),
            )
          : null,
      },
      cpu: this.cpu(),
      memory: this.memory(),
      disks: {
        ssd: ssdDisk(cacheStats?.ssd, cache.check),
        nas: { ...nas, reachable: reach === null, error: reach ?? nas.error },
      },
    };
  }

  /**
   * One call with the status budget; a failure is returned as data. A business error still proves
   * the block answers.
   */
  private async probe<C extends ContractId, A extends ActionName<C>>(
    via: BlockClient,
    contract: C,
    action: A,
    input: ActionInput<C, A>,
  ): Promise<{ value: ActionOutput<C, A> | null; check: Check }> {
    const t = performance.now();
    try {
      const value = await via.request(contract, action, input, { timeoutMs: STATUS_PROBE_MS });
      return { value, check: { available: true, code: null, message: null, ms: since(t) } };
    } catch (err) {
      const e = toBlockError(err);
      return {
        value: null,
        check: {
          available: !isInfrastructureError(e),
          code: e.code,
          message: e.message,
          ms: since(t),
        },
      };
    }
  }

  private async disk(path: string): Promise<Disk> {
    try {
      const s = await this.once(`statfs:${path}`, () => statfs(path));
      const total = s.blocks * s.bsize;
      return {
        path,
        available: true,
        total_bytes: total,
        free_bytes: s.bavail * s.bsize,
        used_bytes: total - s.bfree * s.bsize,
        error: null,
      };
    } catch (err) {
      return {
        path,
        available: false,
        total_bytes: null,
        free_bytes: null,
        used_bytes: null,
        error: errorMessage(err),
      };
    }
  }

  /**
   * Runs `work` unless the same check is still in flight (then waits for that one), for at most
   * FS_PROBE_MS.
   */
  private async once<T>(key: string, work: () => Promise<T>): Promise<T> {
    let p = this.inflight.get(key) as Promise<T> | undefined;
    if (!p) {
      p = work().finally(() => this.inflight.delete(key));
      this.inflight.set(key, p);
    }
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`no answer within ${FS_PROBE_MS} ms (mount not responding)`)),
        FS_PROBE_MS,
      );
    });
    try {
      return await Promise.race([p, late]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Process CPU as a percentage of one core since the previous report. */
  private cpu(): StatusReport['cpu'] {
    const now = performance.now();
    const usage = process.cpuUsage();
    const wallUs = (now - this.lastCpu.at) * 1000;
    const used = usage.user - this.lastCpu.usage.user + (usage.system - this.lastCpu.usage.system);
    this.lastCpu = { at: now, usage };
    const cpus = os.cpus();
    return {
      cores: cpus.length,
      model: cpus[0]?.model ?? null,
      load_avg: os.loadavg(),
      process_user_ms: Math.round(usage.user / 1000),
      process_system_ms: Math.round(usage.system / 1000),
      process_percent: wallUs > 0 ? Math.round((used / wallUs) * 1000) / 10 : 0,
    };
  }

  private memory(): StatusReport['memory'] {
    const m = process.memoryUsage();
    const total = os.totalmem();
    const free = os.freemem();
    return {
      total_bytes: total,
      free_bytes: free,
      used_bytes: total - free,
      process: { rss: m.rss, heap_total: m.heapTotal, heap_used: m.heapUsed, external: m.external },
    };
  }
}
