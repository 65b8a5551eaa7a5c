/**
 * One coarse timer for every pending request instead of a setTimeout per call. Creating and
 * clearing a timer costs about as much as a whole in-process request, so per-call timers would
 * halve throughput; a sweep every few milliseconds is precise enough for request timeouts.
 */
export interface Deadline {
  at: number;
  expire(): void;
}

export class DeadlineSweeper {
  private readonly pending = new Set<Deadline>();
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly resolutionMs = 5) {}

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => this.sweep(), this.resolutionMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  add(deadline: Deadline): void {
    this.pending.add(deadline);
  }

  delete(deadline: Deadline): void {
    this.pending.delete(deadline);
  }

  get size(): number {
    return this.pending.size;
  }

  /** Expires everything now (used at shutdown so no caller waits on a stopped node). */
  expireAll(): void {
    for (const d of this.pending) {
      this.pending.delete(d);
      d.expire();
    }
  }

  private sweep(): void {
    if (this.pending.size === 0) return;
    const now = performance.now();
    for (const d of this.pending) {
      if (d.at <= now) {
        this.pending.delete(d);
        d.expire();
      }
    }
  }
}
