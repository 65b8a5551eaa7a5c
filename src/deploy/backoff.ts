/**
 * Restart delays for a crashing child: `initialMs`, doubling after each crash, capped at
 * `maxMs`. A child that stayed up for `resetAfterMs` counts as healthy again, so its next crash
 * starts from `initialMs` instead of paying for crashes long past.
 */

export interface BackoffSettings {
  initialMs: number;
  maxMs: number;
  resetAfterMs: number;
}

export const defaultBackoff: BackoffSettings = {
  initialMs: 250,
  maxMs: 10_000,
  resetAfterMs: 30_000,
};

export class Backoff {
  private failures = 0;

  constructor(readonly settings: BackoffSettings = defaultBackoff) {
    if (!(settings.initialMs >= 0) || !(settings.maxMs >= settings.initialMs))
      throw new Error('backoff needs 0 ≤ initialMs ≤ maxMs');
  }

  /** The delay before the next start, given how long the child ran before it exited. */
  next(ranForMs: number): number {
    if (ranForMs >= this.settings.resetAfterMs) this.failures = 0;
    const delay = Math.min(this.settings.maxMs, this.settings.initialMs * 2 ** this.failures);
    this.failures++;
    return delay;
  }

  /** Consecutive crashes counted so far. */
  get streak(): number {
    return this.failures;
  }
}
