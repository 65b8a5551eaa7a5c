/**
 * Playback sessions of this process and their slots. A session starts on its first request
 * (file located, slot acquired once, `stream_started`), is kept alive by every later request
 * (slot touched), and ends when it has been idle for `idleMs` with nothing in flight, when the
 * viewer stops it, or when its auth session is revoked (slot released, `stream_stopped`).
 * While the cache block is down the slot decision is made here, over the slots this process
 * holds, with the same limits: `decideLocally`.
 */
import type { ServerResponse } from 'node:http';
import type { BlockClient } from '../../orchestration/index.ts';
import {
  QUEUE_HOLD_MS,
  StreamErrors,
  type Decision,
  type MediaFile,
  type Playback,
  type Viewer,
} from './models.ts';

export interface SlotBackend {
  acquire(via: BlockClient, p: Viewer): Promise<Decision>;
  /** False when the slot is no longer held (released or expired by the cache). */
  touch(via: BlockClient, p: Viewer): Promise<boolean>;
  started(via: BlockClient, p: Playback): void;
  /** Releases the slot and reports `stream_stopped`. */
  ended(p: Playback, duration_ms: number): void;
}

type Reason = 'user_limit' | 'global_limit';
type Live = Playback & { responses: Set<ServerResponse> };

export class Playbacks {
  readonly live = new Map<string, Live>();
  private readonly opening = new Map<string, Promise<Live>>();
  /** Session → user, for every slot this process holds (granted by the cache or locally). */
  readonly holders = new Map<string, string>();
  /** Refused sessions in order of their first refusal: the local queue. */
  private readonly waiting = new Map<string, { user_id: string; reason: Reason; at: number }>();
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly limits: { maxPerUser: number; maxTotal: number; idleMs: number },
    private readonly backend: SlotBackend,
    private readonly client: BlockClient,
  ) {
    this.timer = setInterval(
      () => this.sweep(),
      Math.max(20, Math.min(1000, limits.idleMs / 4)),
    ).unref();
  }

  /** The viewer's playback session, started on its first request by `locate` and a slot. */
  async enter(v: Viewer, via: BlockClient, locate: () => Promise<MediaFile>): Promise<Playback> {
    const p = this.live.get(v.session_id);
    if (!p) {
      const opening =
        this.opening.get(v.session_id) ??
        this.start(v, via, locate).finally(() => this.opening.delete(v.session_id));
      this.opening.set(v.session_id, opening);
      return opening;
    }
    p.last_active = p.last_touch = Date.now();
    if (await this.backend.touch(via, p)) return p;
    const d = await this.backend.acquire(via, p);
    if (d.granted) return p;
    this.end(p.session_id);
    throw StreamErrors.slotRefused(d);
  }

  /**
   * Counts a response in flight for `p` until it closes (finished or aborted): never idle
   * meanwhile.
   */
  track(p: Playback, res: ServerResponse): void {
    const responses = this.live.get(p.session_id)?.responses;
    responses?.add(res);
    res.once('close', () => {
      responses?.delete(res);
      p.last_active = Date.now();
    });
  }

  /** Ends a session; `cut` also aborts its responses in flight (revoked sessions). */
  end(id: string, cut = false): boolean {
    const p = this.live.get(id);
    if (!p) return false;
    this.live.delete(id);
    this.holders.delete(id);
    this.backend.ended(p, (p.responses.size ? Date.now() : p.last_active) - p.started_at);
    if (cut) for (const res of p.responses) res.destroy();
    return true;
  }

  endWhere(match: (p: Playback) => boolean): void {
    for (const p of this.live.values()) if (match(p)) this.end(p.session_id, true);
  }

  /** The slot decision while the cache is down: the same limits, over the slots of this process. */
  decideLocally({ user_id, session_id }: Viewer): Decision {
    const mine = [...this.holders.values()].filter((u) => u === user_id).length;
    const total = this.holders.size;
    const { maxPerUser, maxTotal } = this.limits;
    const reason: Reason | null = this.holders.has(session_id)
      ? null
      : mine >= maxPerUser
        ? 'user_limit'
        : total >= maxTotal
          ? 'global_limit'
          : null;
    const counts = { active_for_user: mine, active_total: total };
    if (!reason) {
      this.holders.set(session_id, user_id);
      this.waiting.delete(session_id);
      return { granted: true, reason: null, limit: null, queue_position: null, ...counts };
    }
    const w = this.waiting.get(session_id) ?? { user_id, reason, at: 0 };
    this.waiting.set(session_id, Object.assign(w, { reason, at: Date.now() }));
    const ahead = [...this.waiting].findIndex(([id]) => id === session_id);
    const queue_position =
      1 +
      [...this.waiting.values()]
        .slice(0, ahead)
        .filter((x) => x.reason === reason && (reason === 'global_limit' || x.user_id === user_id))
        .length;
    return {
      granted: false,
      reason,
      limit: reason === 'user_limit' ? maxPerUser : maxTotal,
      queue_position,
      ...counts,
    };
  }

  close(): void {
    clearInterval(this.timer);
    for (const id of [...this.live.keys()]) this.end(id);
  }

  private async start(
    v: Viewer,
    via: BlockClient,
    locate: () => Promise<MediaFile>,
  ): Promise<Live> {
    const file = await locate();
    const d = await this.backend.acquire(via, v);
    if (!d.granted) throw StreamErrors.slotRefused(d);
    this.holders.set(v.session_id, v.user_id);
    this.waiting.delete(v.session_id);
    const now = Date.now();
    const p: Live = {
      ...v,
      file,
      started_at: now,
      last_active: now,
      last_touch: now,
      bytes_sent: 0,
      responses: new Set(),
    };
    this.live.set(p.session_id, p);
    this.backend.started(via, p);
    return p;
  }

  private sweep(): void {
    const now = Date.now();
    for (const p of this.live.values()) {
      if (p.responses.size === 0 && now - p.last_active >= this.limits.idleMs)
        this.end(p.session_id);
      else if (p.responses.size > 0 && now - p.last_touch >= this.limits.idleMs / 2) {
        // A long transfer (one big 200) sends no new requests: keep its slot alive in the cache.
        p.last_touch = now;
        this.backend.touch(this.client, p).catch(() => {});
      }
    }
    for (const [id, w] of this.waiting) if (now - w.at > QUEUE_HOLD_MS) this.waiting.delete(id);
  }
}
