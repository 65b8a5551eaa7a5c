/**
 * The orchestrator's behaviour, one suite run on the in-memory bus and on the real Redis.
 * Blocks here are the small test blocks of test/support/test-contracts.ts.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { BlockError, type Envelope } from '../../src/orchestration/index.ts';
import { echoBlock, echoHealth, storeBlock } from '../support/test-contracts.ts';
import { harness, type Transport } from './harness.ts';
import { describeRedis, redisUrl } from '../support/redis.ts';
import { waitFor } from '../support/wait.ts';

async function caught(p: Promise<unknown>): Promise<BlockError> {
  try {
    await p;
  } catch (err) {
    return err as BlockError;
  }
  throw new Error('expected the promise to reject');
}

const until = (predicate: () => boolean, timeoutMs = 3000) => waitFor(predicate, timeoutMs);

function suite(transport: Transport) {
  const h = harness(transport, redisUrl);
  afterEach(async () => {
    echoHealth.report = { status: 'healthy' };
    await h.closeAll();
  });

  it('answers a typed request and applies the input schema defaults', async () => {
    const n = await h.node([echoBlock()]);
    const out = await n.client('tester').request('echo:v1', 'echo', { text: 'ab' });
    expect(out).toEqual({ text: 'ab' });
    expect(await n.client('tester').request('echo:v1', 'echo', { text: 'ab', times: 3 })).toEqual({
      text: 'ababab',
    });
  });

  it('passes a business error through with its code, message and retryable flag', async () => {
    const n = await h.node([echoBlock()]);
    const err = await caught(
      n.client('tester').request('echo:v1', 'fail', { code: 'TOKEN_INVALID', retryable: true }),
    );
    expect(err).toBeInstanceOf(BlockError);
    expect(err.code).toBe('TOKEN_INVALID');
    expect(err.message).toBe('failed on purpose with TOKEN_INVALID');
    expect(err.retryable).toBe(true);
    expect(err.correlationId).toBeTruthy();
  });

  it('turns an unexpected throw into INTERNAL', async () => {
    const n = await h.node([echoBlock()]);
    const err = await caught(n.client('tester').request('echo:v1', 'crash', {}));
    expect(err.code).toBe('INTERNAL');
    expect(err.message).toContain('something broke inside');
  });

  it('times out with the default timeout and with a per-call override', async () => {
    const n = await h.node([echoBlock()], { requestTimeoutMs: 300 });
    let t = Date.now();
    let err = await caught(n.client('tester').request('echo:v1', 'hang', {}));
    expect(err.code).toBe('TIMEOUT');
    expect(Date.now() - t).toBeGreaterThanOrEqual(290);
    expect(Date.now() - t).toBeLessThan(1000);
    t = Date.now();
    err = await caught(n.client('tester').request('echo:v1', 'hang', {}, { timeoutMs: 50 }));
    expect(err.code).toBe('TIMEOUT');
    expect(Date.now() - t).toBeLessThan(250);
  });

  it('fails at once when nobody serves the block or the action', async () => {
    const n = await h.node([echoBlock()]);
    const t = Date.now();
    const err = await caught(n.client('tester').request('store:v1', 'get', { key: 'x' }));
    expect(err.code).toBe('BLOCK_UNAVAILABLE');
    expect(err.message).toContain('store');
    const err2 = await caught(
      n.client('tester').request('echo:v1', 'nope' as 'echo', { text: 'x' }),
    );
    expect(err2.code).toBe('UNKNOWN_ACTION');
    expect(Date.now() - t).toBeLessThan(200);
  });

  it('rejects a wrongly typed payload with an error naming the field', async () => {
    const n = await h.node([echoBlock()]);
    const err = await caught(
      n.client('tester').request('echo:v1', 'echo', { text: 42 as unknown as string }),
    );
    expect(err.code).toBe('INVALID_PAYLOAD');
    expect(err.message).toContain('text');
  });

  it('routes to the contract version asked for and explains when nobody serves it', async () => {
    const n = await h.node([echoBlock({ versions: ['echo:v1'] })]);
    const err = await caught(n.client('tester').request('echo:v2', 'echo', { text: 'hi' }));
    expect(err.code).toBe('CONTRACT_UNAVAILABLE');
    expect(err.message).toContain('echo:v2');
    expect(err.message).toContain('echo:v1');
    await h.closeAll();
    const both = await h.node([echoBlock({ versions: ['echo:v1', 'echo:v2'] })]);
    expect(await both.client('t').request('echo:v2', 'echo', { text: 'hi', shout: true })).toEqual({
      text: 'HI',
      version: 'v2',
    });
    expect(await both.client('t').request('echo:v1', 'echo', { text: 'hi' })).toEqual({
      text: 'hi',
    });
    expect(both.registry.get('echo', both.nodeId)?.contracts).toEqual(['echo:v1', 'echo:v2']);
  });

  it('opens the breaker after 5 infrastructure failures, not for business errors, and closes it again', async () => {
    const n = await h.node([echoBlock()]);
    const seen: string[] = [];
    await n.subscribe('breaker_state_changed', (p) => void seen.push(p.state));
    const c = n.client('tester');
    for (let i = 0; i < 8; i++)
      expect((await caught(c.request('echo:v1', 'fail', { code: 'NOT_ALLOWED' }))).code).toBe(
        'NOT_ALLOWED',
      );
    expect(n.breakerState('echo')).toBe('closed');
    for (let i = 0; i < 5; i++)
      expect((await caught(c.request('echo:v1', 'crash', {}))).code).toBe('INTERNAL');
    expect(n.breakerState('echo')).toBe('open');
    const open = await caught(c.request('echo:v1', 'echo', { text: 'x' }));
    expect(open.code).toBe('CIRCUIT_OPEN');
    await new Promise((r) => setTimeout(r, 350));
    expect(await c.request('echo:v1', 'echo', { text: 'back' })).toEqual({ text: 'back' });
    expect(n.breakerState('echo')).toBe('closed');
    await until(() => seen.includes('open') && seen.includes('closed'));
    expect(seen).toEqual(['open', 'half-open', 'closed']);
  });

  it('uses a declared fallback for infrastructure failures only', async () => {
    const n = await h.node([echoBlock()]);
    n.setFallback('store:v1', 'get', (input: { key: string }) => ({
      value: `fallback:${input.key}`,
    }));
    expect(await n.client('t').request('store:v1', 'get', { key: 'k' })).toEqual({
      value: 'fallback:k',
    });
    const perCall = await n
      .client('t')
      .request('echo:v1', 'hang', {}, { timeoutMs: 30, fallback: () => ({}) });
    expect(perCall).toEqual({});
    const business = await caught(
      n.client('t').request('echo:v1', 'fail', { code: 'NOPE' }, { fallback: () => ({}) }),
    );
    expect(business.code).toBe('NOPE');
  });

  it('delivers events to every subscriber, honours target_block and isolates a failing handler', async () => {
    const n = await h.node([echoBlock(), storeBlock()]);
    const a: string[] = [];
    const b: string[] = [];
    await n.subscribe(
      'echo_said',
      () => {
        throw new Error('this subscriber is broken');
      },
      'broken',
    );
    await n.subscribe('echo_said', (p) => void a.push(p.text), 'store');
    await n.subscribe('echo_said', (p) => void b.push(p.text), 'search');
    await n.client('echo').publish('echo_said', { text: 'all' });
    await n.client('echo').publish('echo_said', { text: 'only-store' }, { target: 'store' });
    await until(() => a.length === 2 && b.length === 1);
    expect(a).toEqual(['all', 'only-store']);
    expect(b).toEqual(['all']);
    await until(() => n.lines.some((l) => l.msg === 'event handler failed'));
    expect(n.bus.counters().handler_errors).toBeGreaterThanOrEqual(1);
  });

  it('refuses to publish an event with a bad payload and rejects one arriving from the wire', async () => {
    const n = await h.node([echoBlock()]);
    const err = await caught(
      n.client('echo').publish('echo_said', { text: 1 } as unknown as { text: string }),
    );
    expect(err.code).toBe('INVALID_PAYLOAD');
    const got: unknown[] = [];
    await n.subscribe('echo_said', (p) => void got.push(p), 'store');
    const bad: Envelope = {
      source_block: 'evil',
      target_block: null,
      event_type: 'echo_said',
      payload: { text: 5 },
      correlation_id: 'c-1',
      timestamp: new Date().toISOString(),
    };
    await n.bus.publish('echo_said', bad);
    await until(() => n.rejectedCount() === 1);
    expect(got).toEqual([]);
    expect(n.lines.find((l) => l.msg === 'bus message rejected')?.reason).toContain('text');
  });

  it('publishOrLog resolves when publishing fails and leaves a warning naming the event', async () => {
    const n = await h.node([echoBlock()]);
    const bad = { text: 1 } as unknown as { text: string };
    await expect(n.client('echo').publishOrLog('echo_said', bad)).resolves.toBeUndefined();
    const line = n.lines.find((l) => l.msg === 'could not publish event');
    expect(line?.event).toBe('echo_said');
    expect(line?.block).toBe('echo');
  });

  it('carries one correlation id through a request, the requests and events it causes, and their logs', async () => {
    const n = await h.node([echoBlock(), storeBlock()]);
    const events: Envelope[] = [];
    await n.subscribe('stored', (_p, _c, m) => void events.push(m), 'watcher');
    const out = await n
      .client('gateway')
      .request('echo:v1', 'relay', { text: 'hello' }, { correlationId: 'corr-123' });
    expect(out.correlation_id).toBe('corr-123');
    await until(() => events.length === 1);
    expect(events[0].correlation_id).toBe('corr-123');
    const lines = n.lines.filter((l) => l.step === 'relay' || l.step === 'store');
    expect(lines.map((l) => l.step).sort()).toEqual(['relay', 'store']);
    for (const l of lines) expect(l.correlation_id).toBe('corr-123');
  });

  it('registers blocks with their info, checks dependencies and reports health changes', async () => {
    const n = await h.node([echoBlock()]);
    const info = n.registry.get('echo', n.nodeId)!;
    expect(info).toMatchObject({
      id: 'echo',
      name: 'Echo (test)',
      version: '1.0.0',
      status: 'healthy',
      contracts: ['echo:v1'],
      dependencies: ['store:v1'],
    });
    const events: Array<{ type: string; status: string }> = [];
    await n.subscribe(
      'block_unhealthy',
      (p) => void events.push({ type: 'unhealthy', status: p.status }),
    );
    await n.subscribe(
      'block_recovered',
      (p) => void events.push({ type: 'recovered', status: p.status }),
    );
    echoHealth.report = { status: 'unhealthy', reason: 'disk gone' };
    await until(() => events.length === 1);
    expect(info.status).toBe('unhealthy');
    expect(info.status_reason).toBe('disk gone');
    echoHealth.report = { status: 'healthy' };
    await until(() => events.length === 2);
    expect(events).toEqual([
      { type: 'unhealthy', status: 'unhealthy' },
      { type: 'recovered', status: 'healthy' },
    ]);
  });

  it("refuses a manifest that claims another block's contract, naming the problem", async () => {
    const { defineBlock } = await import('../../src/orchestration/index.ts');
    const thief = defineBlock({
      id: 'thief',
      name: 'Thief',
      version: '0.1.0',
      contracts: ['echo:v2'],
      setup: () => ({ handlers: {} as never }),
    });
    await expect(h.node([thief])).rejects.toThrow(/belongs to block "echo"/);
    const n = await h.node([]);
    expect(() => n.register(storeBlock())).toThrow(/after start/);
  });

  it('degrades a block whose required dependency nobody serves, and heals when it appears', async () => {
    const { defineBlock } = await import('../../src/orchestration/index.ts');
    const lonely = defineBlock({
      id: 'echo',
      name: 'Lonely echo',
      version: '1',
      contracts: ['echo:v2'],
      dependencies: [{ contract: 'store:v1' }],
      setup: () => ({
        handlers: { 'echo:v2': { echo: () => ({ text: '', version: 'v2' as const }) } },
      }),
    });
    const n = await h.node([lonely]);
    const info = n.registry.get('echo', n.nodeId)!;
    expect(info.status).toBe('degraded');
    expect(info.status_reason).toContain('store:v1');
    await h.closeAll();
    const both = await h.node([lonely, storeBlock()]);
    expect(both.registry.get('echo', both.nodeId)!.status).toBe('healthy');
  });

  it('announces a stopped and restarted block and closes its breaker when it is back', async () => {
    const n = await h.node([echoBlock(), storeBlock()]);
    const events: string[] = [];
    await n.subscribe('block_unhealthy', (p) => void events.push(`down:${p.block_id}`));
    await n.subscribe('block_recovered', (p) => void events.push(`up:${p.block_id}`));
    await n.stopBlock('store');
    for (let i = 0; i < 5; i++)
      await caught(n.client('t').request('store:v1', 'get', { key: 'k' }));
    expect(n.breakerState('store')).toBe('open');
    await n.restartBlock('store');
    expect(n.breakerState('store')).toBe('closed');
    expect(await n.client('t').request('store:v1', 'get', { key: 'k' })).toEqual({ value: null });
    await until(() => events.length === 2);
    expect(events).toEqual(['down:store', 'up:store']);
  });

  it('marks its blocks stopped and expires waiting callers on stop', async () => {
    const n = await h.node([echoBlock()]);
    const pending = caught(n.client('t').request('echo:v1', 'hang', {}, { timeoutMs: 5000 }));
    await new Promise((r) => setTimeout(r, 20));
    await n.stop();
    expect(n.registry.get('echo', n.nodeId)!.status).toBe('stopped');
    expect((await pending).code).toBe('TIMEOUT');
  });
}

describe('orchestrator on the in-memory bus', () => suite('memory'));

describeRedis('orchestrator on Redis', () => suite('redis'));
