/**
 * Typed calls: a wrong action name, a wrong payload type or a wrong event payload is a compile
 * error. `npm test` runs `tsc --noEmit` first, and every `@ts-expect-error` below fails the type
 * check if the line it marks ever starts compiling.
 */
import { describe, expect, it } from 'vitest';
import type { BlockClient } from '../../src/orchestration/index.ts';

// Declared, never called: only the types matter here.
function typedCalls(client: BlockClient) {
  void client.request('auth:v1', 'validate_token', { token: 'abc' });
  // @ts-expect-error — no such action in auth:v1
  void client.request('auth:v1', 'validate_tokens', { token: 'abc' });
  // @ts-expect-error — token must be a string
  void client.request('auth:v1', 'validate_token', { token: 42 });
  // @ts-expect-error — no such contract version
  void client.request('auth:v9', 'validate_token', { token: 'abc' });
  // @ts-expect-error — content_added needs the index fields
  void client.publish('content_added', { content_id: 'c1' });
  // @ts-expect-error — no contract declares this event
  void client.publish('content_exploded', {});
  return client.request('cache:v1', 'get_stream_path', { content_id: 'c1' }).then((r) => {
    const tier: 'ssd' | 'nas' = r.tier;
    // @ts-expect-error — the result has no such field
    void r.bytes;
    return tier;
  });
}

describe('contract types', () => {
  it('are checked by the compiler (see the @ts-expect-error lines, verified by tsc in npm test)', () => {
    expect(typeof typedCalls).toBe('function');
  });
});
