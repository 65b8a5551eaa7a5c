/**
 * One coarse timer for every pending request instead of a setTimeout per call. Creating and
 * clearing a timer costs about as much as a whole in-process request, so per-call timers would
 * halve throughput; a sweep every few milliseconds is precise enough for request timeouts.
 * Deadlines link themselves into a list (no Set hashing on the hot path: add and remove are
 * a few pointer writes).
 */
export abstract class Deadline {
  prev: Deadline | null = null;
  next: Deadline | null = null;
  linked = false;
  constructor(public at: number) {}
  abstract expire(): void;
}

export class DeadlineSweeper {
  private head: Deadline | null = null;
  private count = 0;
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

  add(d: Deadline): void {
    d.prev = null;
    d.next = this.head;
    if (this.head) this.head.prev = d;
    this.head = d;
    d.linked = true;
    this.count++;
  }

  delete(d: Deadline): void {
    if (!d.linked) return;
    d.linked = false;
    if (d.prev) d.prev.next = d.next;
    else this.head = d.next;
    if (d.next) d.next.prev = d.prev;
    d.prev = d.next = null;
    this.count--;
  }

  get size(): number {
    return this.count;
  }

  /** Expires everything now (used at shutdown so no caller waits on a stopped node). */
  expireAll(): void {
    while (this.head) {
      const d = this.head;
      this.delete(d);
      d.expire();
    }
  }

  private sweep(): void {
    if (this.count === 0) return;
    const now = performance.now();
    let d = this.head;
    while (d) {
      const next: Deadline | null = d.next;
      if (d.at <= now) {
        this.delete(d);
        d.expire();
        // expire() may settle other requests and unlink `next`: start over from the head.
        if (next && !next.linked) {
          d = this.head;
          continue;
        }
      }
      d = next;
    }
  }
}
