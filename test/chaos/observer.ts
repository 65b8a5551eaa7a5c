/**
 * A bystander node on the deployment's bus: an Orchestrator with no blocks, on the same Redis,
 * namespace and secret, that only listens to the system channel. It records when each
 * `block_unhealthy` / `block_recovered` / `breaker_state_changed` arrived, which is how the
 * suite measures detection and recovery times. It starts after the deployment, so it is never
 * the longest-running node and never the one that announces changes.
 */
import pino from 'pino';
import { Orchestrator } from '../../src/orchestration/index.ts';

export interface SystemEvent {
  event: 'block_unhealthy' | 'block_recovered' | 'breaker_state_changed';
  block_id: string;
  status?: string;
  state?: string;
  node_id: string | null;
  at: number;
}

export class SystemObserver {
  readonly events: SystemEvent[] = [];
  private readonly waiters = new Set<() => void>();
  private constructor(private readonly orch: Orchestrator) {}

  static async join(redisUrl: string, namespace: string, secret: string): Promise<SystemObserver> {
    const orch = new Orchestrator({
      bus: { kind: 'redis', url: redisUrl, namespace, secret },
      logger: pino({ level: 'silent' }),
      collectProcessMetrics: false,
    });
    const obs = new SystemObserver(orch);
    await orch.start();
    for (const event of ['block_unhealthy', 'block_recovered', 'breaker_state_changed'] as const) {
      await orch.subscribe(
        event,
        (p: { block_id: string; status?: string; state?: string; node_id: string | null }) => {
          obs.events.push({
            event,
            block_id: p.block_id,
            status: p.status,
            state: p.state,
            node_id: p.node_id,
            at: Date.now(),
          });
          for (const w of obs.waiters) w();
        },
        'chaos-observer',
      );
    }
    return obs;
  }

  /**
   * The first matching event at or after `since`, waiting up to `timeoutMs`; undefined if none
   * came.
   */
  async next(
    event: SystemEvent['event'],
    block: string,
    since: number,
    timeoutMs: number,
  ): Promise<SystemEvent | undefined> {
    const find = () =>
      this.events.find((e) => e.event === event && e.block_id === block && e.at >= since);
    const found = find();
    if (found) return found;
    return new Promise((resolve) => {
      const check = () => {
        const e = find();
        if (e) done(e);
      };
      const timer = setTimeout(() => done(undefined), timeoutMs);
      const done = (e: SystemEvent | undefined) => {
        clearTimeout(timer);
        this.waiters.delete(check);
        resolve(e);
      };
      this.waiters.add(check);
    });
  }

  transportState(): string {
    return this.orch.bus.state();
  }

  stop(): Promise<void> {
    return this.orch.stop();
  }
}
