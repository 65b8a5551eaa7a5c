/**
 * Circuit breakers, one per target block, built on cockatiel. Only infrastructure failures
 * (timeouts, no server, transport down, internal errors) count; a business error such as an
 * invalid token proves the target is alive and leaves the breaker alone.
 */
import {
  circuitBreaker,
  CircuitState,
  ConsecutiveBreaker,
  handleWhen,
  type CircuitBreakerPolicy,
} from 'cockatiel';
import { isInfrastructureError } from './errors.ts';

export type BreakerState = 'closed' | 'open' | 'half-open';

export interface BreakerOptions {
  /** Consecutive infrastructure failures that open the breaker (spec: 5). */
  failureThreshold: number;
  /** How long the breaker stays open before letting one trial call through. */
  halfOpenAfterMs: number;
}

function toState(s: CircuitState): BreakerState {
  if (s === CircuitState.Closed) return 'closed';
  if (s === CircuitState.HalfOpen) return 'half-open';
  return 'open';
}

export class BreakerBoard {
  private readonly breakers = new Map<string, CircuitBreakerPolicy>();

  constructor(
    private readonly options: BreakerOptions,
    private readonly onChange: (block: string, state: BreakerState) => void,
  ) {}

  for(block: string): CircuitBreakerPolicy {
    let b = this.breakers.get(block);
    if (!b) {
      b = circuitBreaker(handleWhen(isInfrastructureError), {
        halfOpenAfter: this.options.halfOpenAfterMs,
        breaker: new ConsecutiveBreaker(this.options.failureThreshold),
      });
      b.onStateChange((s) => this.onChange(block, toState(s)));
      this.breakers.set(block, b);
    }
    return b;
  }

  /**
   * Forgets a block's failures, e.g. when the registry sees it serving again: waiting out the
   * half-open delay would keep callers on the fallback although the block is back.
   */
  reset(block: string): void {
    const b = this.breakers.get(block);
    if (!b || b.state === CircuitState.Closed) return;
    this.breakers.delete(block);
    this.onChange(block, 'closed');
  }

  state(block: string): BreakerState {
    const b = this.breakers.get(block);
    return b ? toState(b.state) : 'closed';
  }

  all(): Array<{ block: string; state: BreakerState }> {
    return [...this.breakers.entries()].map(([block, b]) => ({ block, state: toState(b.state) }));
  }
}
