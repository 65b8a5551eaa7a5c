/**
 * Durable domain events at the orchestrator level: a block's event handlers receive what was
 * published while the block was stopped (memory: in the same process; Redis: in a process that
 * died and came back), a throwing handler is retried with the same message id, and the
 * orchestrator's own health events stay on Pub/Sub.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { BlockManifest, CallContext } from '../../src/orchestration/index.ts';
import { echoBlock, storeBlock } from '../support/test-contracts.ts';
import { describeRedis, redisUrl } from '../support/redis.ts';
import { waitFor } from '../support/wait.ts';
import { harness, type Transport } from './harness.ts';

interface Heard {
  key: string;
  messageId: string | undefined;
}

/** The echo test block, plus a handler for the store block's `stored` event. */
function listeningEcho(heard: Heard[], failFirst = new Set<string>()): BlockManifest<any> {
  const base = echoBlock();
  return {
    ...base,
    async setup(ctx) {
      const runtime = await base.setup(ctx);
      return {
        ...runtime,
        events: {
          stored: ({ key }: { key: string }, call: CallContext) => {
            if (failFirst.delete(key)) throw new Error(`first delivery of ${key} fails`);
            heard.push({ key, messageId: call.messageId });
          },
        },
      };
    },
  };
}

function suite(transport: Transport): void {
  describe(`durable events (${transport})`, () => {
    const h = harness(transport, redisUrl);
    afterEach(() => h.closeAll());

    it('a stopped block receives, once restarted, every event published while it was down, in order', async () => {
      const heard: Heard[] = [];
      const node = await h.node([storeBlock(), listeningEcho(heard)]);
      const store = node.client('test');
      await store.request('store:v1', 'put', { key: 'before', value: 'x' });
      await waitFor(() => heard.length === 1, 5000);
      await node.stopBlock('echo');
      for (const key of ['down-1', 'down-2', 'down-3'])
        await store.request('store:v1', 'put', { key, value: 'x' });
      await new Promise((r) => setTimeout(r, 100));
      expect(heard).toHaveLength(1);
      await node.restartBlock('echo');
      await waitFor(() => heard.length === 4, 5000, { message: 'the three missed events' });
      expect(heard.map((e) => e.key)).toEqual(['before', 'down-1', 'down-2', 'down-3']);
      expect(new Set(heard.map((e) => e.messageId)).size).toBe(4);
      expect(heard.every((e) => e.messageId?.startsWith('stored/'))).toBe(true);
    });

    it('retries a handler that throws, with the same message id, and runs it to completion once', async () => {
      const heard: Heard[] = [];
      const ids: string[] = [];
      const failing = new Set(['flaky']);
      const node = await h.node([storeBlock(), listeningEcho(heard, failing)]);
      const seen = await node.subscribe(
        'stored',
        (_p, call) => void ids.push(call.messageId ?? 'none'),
        'observer',
      );
      await node.client('test').request('store:v1', 'put', { key: 'flaky', value: 'x' });
      await waitFor(() => heard.length === 1, 5000);
      expect(failing.size).toBe(0); // the first delivery did fail
      expect(heard[0].key).toBe('flaky');
      expect(node.bus.counters()).toMatchObject({ durable_retried: 1, durable_handled: 1 });
      // A plain (live) subscriber still hears the event, once, without a durable id.
      expect(ids).toEqual(['none']);
      await seen();
    });
  });
}

suite('memory');

describeRedis('durable events across processes', () => {
  suite('redis');

  it('a block whose process died receives what was published meanwhile when a new process hosts it', async () => {
    const h = harness('redis', redisUrl);
    try {
      const publisher = await h.node([storeBlock()]);
      const heardByFirst: Heard[] = [];
      const first = await h.node([listeningEcho(heardByFirst)]);
      const store = publisher.client('test');
      await store.request('store:v1', 'put', { key: 'a', value: 'x' });
      await waitFor(() => heardByFirst.length === 1, 5000);
      await first.stop(); // the process goes away
      for (const key of ['b', 'c']) await store.request('store:v1', 'put', { key, value: 'x' });
      const heardBySecond: Heard[] = [];
      await h.node([listeningEcho(heardBySecond)]); // same block, same instance name: same group
      await waitFor(() => heardBySecond.length === 2, 5000, {
        message: 'events published while no process hosted the block',
      });
      expect(heardBySecond.map((e) => e.key)).toEqual(['b', 'c']);
    } finally {
      await h.closeAll();
    }
  });
});
