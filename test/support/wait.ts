/**
 * Polling instead of fixed sleeps: a test waits exactly as long as the condition takes and
 * fails with a message naming what never happened.
 */
import { errorMessage } from '../../src/platform/errors.ts';

export interface WaitForOptions {
  /** Poll interval; 5 ms keeps tests fast without spinning. */
  intervalMs?: number;
  /** Describes the condition in the timeout error. */
  message?: string;
}

/**
 * Resolves with the elapsed milliseconds once `predicate` returns (or resolves to) a truthy
 * value; rejects after `timeoutMs`. A predicate that throws is treated as "not yet" and its
 * last error is quoted in the timeout message.
 */
export async function waitFor(
  predicate: () => unknown,
  timeoutMs: number,
  options: WaitForOptions = {},
): Promise<number> {
  const intervalMs = options.intervalMs ?? 5;
  const started = performance.now();
  let lastError: unknown;
  for (;;) {
    try {
      if (await predicate()) return performance.now() - started;
      lastError = undefined;
    } catch (err) {
      lastError = err;
    }
    const elapsed = performance.now() - started;
    if (elapsed >= timeoutMs) {
      const what = options.message ?? 'condition';
      const why = lastError === undefined ? '' : ` (last error: ${errorMessage(lastError)})`;
      throw new Error(`waitFor: ${what} not met within ${timeoutMs} ms${why}`);
    }
    await new Promise((resolve) => setTimeout(resolve, Math.min(intervalMs, timeoutMs - elapsed)));
  }
}
