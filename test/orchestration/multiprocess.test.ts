/**
 * Blocks in separate processes on the real Redis: requests, errors and events cross process
 * boundaries; the registry is shared; a killed process is detected with default settings.
 */
import { afterEach, expect, it } from 'vitest';
import { BlockError, createEnvelope, Orchestrator } from '../../src/orchestration/index.ts';
import { productionContracts } from '../../src/orchestration/contracts/index.ts';
import { echoBlock, storeBlock, testContracts } from '../support/test-contracts.ts';
import { memoryLogger } from '../support/logs.ts';
import { startChildNode, type ChildNode } from '../support/child.ts';
import { harness, testNamespace } from './harness.ts';
import { describeRedis, redisUrl } from '../support/redis.ts';
import { waitFor } from '../support/wait.ts';

const until = (predicate: () => boolean, timeoutMs = 5000) =>
  waitFor(predicate, timeoutMs, { intervalMs: 5 });

/** An orchestrator with the default settings, hosting no block: the caller's side. */
async function defaultNode(
  namespace: string,
): Promise<Orchestrator & { lines: Array<Record<string, unknown>> }> {
  const { logger, lines } = memoryLogger();
  const orch = new Orchestrator({
    bus: { kind: 'redis', url: redisUrl, namespace },
    logger,
    contracts: [...productionContracts, ...testContracts],
    collectProcessMetrics: false,
  });
  await orch.start();
  return Object.assign(orch, { lines });
}

describeRedis('two orchestrators over Redis', () => {
  const h = harness('redis', redisUrl);
  afterEach(() => h.closeAll());

  it('requests, errors and events cross nodes; the registry is shared', async () => {
    const server = await h.node([echoBlock({ versions: ['echo:v1', 'echo:v2'] }), storeBlock()]);
    const caller = await h.node([]);
    await until(() => caller.registry.pickServer('echo:v1')?.node_id === server.nodeId);
    const who = await caller.client('gateway').request('echo:v1', 'whoami', {});
    expect(who.node_id).toBe(server.nodeId);
    expect(who.source).toBe('gateway');
    expect(
      await caller.client('gateway').request('echo:v2', 'echo', { text: 'x', shout: true }),
    ).toEqual({ text: 'X', version: 'v2' });
    const err = await caller
      .client('gateway')
      .request('echo:v1', 'fail', { code: 'TOKEN_INVALID', retryable: false })
      .catch((e) => e as BlockError);
    expect(err).toBeInstanceOf(BlockError);
    expect(err).toMatchObject({
      code: 'TOKEN_INVALID',
      message: 'failed on purpose with TOKEN_INVALID',
      retryable: false,
    });
    const infos = caller.registry.list().filter((i) => i.node_id === server.nodeId);
    expect(infos.map((i) => i.id).sort()).toEqual(['echo', 'store']);
    expect(infos.find((i) => i.id === 'echo')!.contracts).toEqual(['echo:v1', 'echo:v2']);
    const heard: string[] = [];
    await caller.subscribe('stored', (p) => void heard.push(p.key), 'watcher');
    await caller.client('gateway').request('store:v1', 'put', { key: 'k1', value: 'v' });
    await until(() => heard.length === 1);
    expect(heard).toEqual(['k1']);
  });

  it('rejects a request from the wire whose input fails the schema, naming the field', async () => {
    const server = await h.node([echoBlock()]);
    const caller = await h.node([]);
    const replies: unknown[] = [];
    await caller.bus.subscribe(`node.${caller.nodeId}`, (m) => void replies.push(m.payload));
    await caller.bus.publish(
      `node.${server.nodeId}`,
      createEnvelope({
        source_block: 'raw',
        target_block: 'echo',
        event_type: 'request',
        payload: {
          id: 'r1',
          contract: 'echo:v1',
          action: 'echo',
          input: { text: ['no'] },
          reply_to: caller.nodeId,
          timeout_ms: 1000,
        },
      }),
    );
    await until(() => replies.length === 1);
    expect(replies[0]).toMatchObject({ id: 'r1', ok: false, error: { code: 'INVALID_PAYLOAD' } });
    expect((replies[0] as { error: { message: string } }).error.message).toContain('text');
    // A request without the protocol fields is dropped and counted, never answered.
    await caller.bus.publish(
      `node.${server.nodeId}`,
      createEnvelope({ source_block: 'raw', event_type: 'request', payload: { hello: 1 } }),
    );
    await until(() => server.rejectedCount() === 1);
  });

  it('sees a node that stops cleanly as stopped and announces block_unhealthy then block_recovered', async () => {
    const watcher = await h.node([]);
    const events: string[] = [];
    await watcher.subscribe(
      'block_unhealthy',
      (p) => void events.push(`down:${p.block_id}:${p.status}`),
    );
    await watcher.subscribe('block_recovered', (p) => void events.push(`up:${p.block_id}`));
    const server = await h.node([storeBlock()]);
    await until(() => watcher.registry.aggregateStatus('store') === 'healthy');
    await server.stop();
    await until(() => watcher.registry.aggregateStatus('store') === 'stopped');
    await until(() => events.length === 1);
    await h.node([storeBlock()]);
    await until(() => events.length === 2);
    expect(events).toEqual(['down:store:stopped', 'up:store']);
  });
});

describeRedis('separate Node.js processes over Redis (default settings)', () => {
  const children: ChildNode[] = [];
  const nodes: Orchestrator[] = [];
  afterEach(async () => {
    for (const c of children.splice(0)) if (c.proc.exitCode === null) c.proc.kill('SIGKILL');
    await Promise.all(nodes.splice(0).map((n) => n.stop()));
  });

  it('exchanges requests and events between two processes, and reports a kill -9 in under 2 s', async () => {
    const ns = testNamespace();
    const child = await startChildNode(['echo', 'store'], { WSOPTV_BUS_NAMESPACE: ns });
    children.push(child);
    const me = await defaultNode(ns);
    nodes.push(me);
    await until(() => me.registry.pickServer('echo:v1')?.node_id === child.nodeId);
    const who = await me
      .client('gateway')
      .request('echo:v1', 'whoami', {}, { correlationId: 'x-proc-1' });
    expect(who).toEqual({ node_id: child.nodeId, source: 'gateway', correlation_id: 'x-proc-1' });
    const said: string[] = [];
    await me.subscribe(
      'echo_said',
      (p, call) => void said.push(`${p.text}/${call.correlationId}`),
      'watcher',
    );
    const relayed = await me
      .client('gateway')
      .request('echo:v1', 'relay', { text: 'over-the-wire' }, { correlationId: 'x-proc-2' });
    expect(relayed.correlation_id).toBe('x-proc-2');
    await until(() => said.length === 1);
    expect(said).toEqual(['over-the-wire/x-proc-2']);
    expect(await me.client('gateway').request('store:v1', 'get', { key: 'relayed' })).toEqual({
      value: 'over-the-wire',
    });

    const down: Array<{ block: string; at: number }> = [];
    await me.subscribe(
      'block_unhealthy',
      (p) => void down.push({ block: p.block_id, at: Date.now() }),
    );
    // A request the process has taken and will never answer: it must fail when the process is
    // found dead, not at its (long) timeout.
    const inFlight = me
      .client('gateway')
      .request('echo:v1', 'hang', {}, { timeoutMs: 30_000 })
      .then(
        () => ({ code: 'ANSWERED', at: Date.now() }),
        (e: BlockError) => ({ code: e.code, at: Date.now() }),
      );
    await new Promise((r) => setTimeout(r, 100));
    const killedAt = Date.now();
    child.proc.kill('SIGKILL');
    await until(() => down.length === 2, 4000);
    const detectionMs = Math.max(...down.map((d) => d.at - killedAt));
    console.log(
      `kill -9 detection: ${detectionMs} ms (blocks ${down.map((d) => d.block).join(', ')})`,
    );
    expect(detectionMs).toBeLessThan(2000);
    const lost = await inFlight;
    expect(lost.code).toBe('BLOCK_UNAVAILABLE');
    expect(lost.at - killedAt).toBeLessThan(2000);
    expect(me.registry.aggregateStatus('echo')).toBe('unhealthy');
    const err = (await me
      .client('gateway')
      .request('echo:v1', 'echo', { text: 'x' })
      .catch((e) => e)) as BlockError;
    expect(err.code).toBe('BLOCK_UNAVAILABLE');

    const recovered: string[] = [];
    await me.subscribe('block_recovered', (p) => void recovered.push(p.block_id));
    const again = await startChildNode(['echo', 'store'], { WSOPTV_BUS_NAMESPACE: ns });
    children.push(again);
    await until(() => recovered.length === 2, 5000);
    expect(recovered.sort()).toEqual(['echo', 'store']);
    expect(await me.client('gateway').request('echo:v1', 'echo', { text: 'back' })).toEqual({
      text: 'back',
    });
  });

  it('on SIGTERM finishes the request in flight, marks its blocks stopped and leaves', async () => {
    const ns = testNamespace();
    const child = await startChildNode(['echo'], { WSOPTV_BUS_NAMESPACE: ns });
    children.push(child);
    const me = await defaultNode(ns);
    nodes.push(me);
    await until(() => me.registry.pickServer('echo:v1')?.node_id === child.nodeId);
    const inflight = me.client('gateway').request('echo:v1', 'slow', { ms: 600 });
    await new Promise((r) => setTimeout(r, 100));
    const t = Date.now();
    child.proc.kill('SIGTERM');
    expect(await inflight).toEqual({ slept: 600 });
    expect(Date.now() - t).toBeGreaterThan(300);
    expect(await child.exited).toBe(0);
    expect(child.output()).toContain('STOPPED');
    await until(() => me.registry.aggregateStatus('echo') === 'stopped', 2000);
  });
});
