/**
 * Requests between processes. A call to a block in another process travels as a `request`
 * envelope on that node's channel and comes back as a `response` on ours; this file sends
 * them, serves the ones that arrive, and fails those whose node went silent.
 */
import { invokeLocal, noServer, PendingCall } from './calls.ts';
import { HandlerContext } from './client.ts';
import type { Contract } from './contracts/define.ts';
import {
  BlockError,
  OrchestrationCodes as Codes,
  toBlockError,
  type SerializedError,
} from './errors.ts';
import { createEnvelope, type Envelope } from './message.ts';
import type { NodeParts } from './node-parts.ts';
import { formatIssues } from './validation.ts';

export const NODE_CHANNEL = 'node.';

type Reply = { ok: true; result: unknown } | { ok: false; error: SerializedError };

export class RemoteCalls {
  private readonly pending = new Map<string, PendingCall>();
  /** Requests from other nodes being served here; drain() lets them finish. */
  private readonly serving = new Set<Promise<void>>();
  private seq = 0;

  constructor(private readonly host: NodeParts) {}

  /** Sends a request to `nodeId`; settles with its answer, or fails at the deadline. */
  send(
    nodeId: string,
    from: string,
    contract: Contract,
    action: string,
    input: unknown,
    correlationId: string,
    timeoutMs: number,
  ): Promise<unknown> {
    const id = `${this.host.nodeId}:${++this.seq}`;
    const pending = new PendingCall(
      performance.now() + timeoutMs,
      this.host.sweeper,
      contract.id,
      action,
      timeoutMs,
      correlationId,
      this.pending,
      id,
      nodeId,
    );
    this.pending.set(id, pending);
    this.host.sweeper.add(pending);
    const envelope = createEnvelope({
      source_block: from,
      target_block: contract.block,
      event_type: 'request',
      payload: {
        id,
        contract: contract.id,
        action,
        input,
        reply_to: this.host.nodeId,
        timeout_ms: timeoutMs,
      },
      correlation_id: correlationId,
    });
    this.host.bus
      .publish(NODE_CHANNEL + nodeId, envelope)
      .then(undefined, (err) => pending.unsent(err));
    return pending.promise;
  }

  /** Everything that arrives on this node's channel. */
  onNodeMessage(m: Envelope): void | Promise<void> {
    if (m.event_type === 'request') {
      const work = this.serve(m);
      this.serving.add(work);
      return work.finally(() => this.serving.delete(work));
    }
    if (m.event_type === 'response') return this.settle(m);
    this.host.reject(
      NODE_CHANNEL + this.host.nodeId,
      `unexpected event_type "${m.event_type}" on a node channel`,
    );
  }

  /** Waits for the requests already accepted from other nodes (each bounded by its timeout). */
  async drain(): Promise<void> {
    await Promise.allSettled([...this.serving]);
  }

  /**
   * Fails at once every request waiting on a node that stopped sending heartbeats: its process
   * is gone and no answer will come, so callers get BLOCK_UNAVAILABLE (or their fallback) now
   * rather than at their timeout.
   */
  nodeLost(nodeId: string): void {
    let failed = 0;
    for (const call of [...this.pending.values()]) {
      if (call.node !== nodeId) continue;
      call.fail(
        new BlockError(
          Codes.BLOCK_UNAVAILABLE,
          `the process serving this request (${nodeId}) stopped answering`,
          { retryable: true },
        ),
      );
      failed++;
    }
    if (failed)
      this.host.log.warn({ lost_node: nodeId, failed }, 'failed requests waiting on a lost node');
  }

  /** Runs a request from another node with the same checks as a local one, and answers it. */
  private async serve(m: Envelope): Promise<void> {
    const p = m.payload as Record<string, unknown>;
    if (
      !p ||
      typeof p.id !== 'string' ||
      typeof p.contract !== 'string' ||
      typeof p.action !== 'string' ||
      typeof p.reply_to !== 'string'
    ) {
      this.host.reject(
        NODE_CHANNEL + this.host.nodeId,
        'malformed request payload (needs id, contract, action, reply_to)',
      );
      return;
    }
    const answer = (body: Reply) => this.reply(m, p.id as string, p.reply_to as string, body);
    const refuse = (err: BlockError) => answer({ ok: false, error: err.toJSON() });
    const contract = this.host.catalog.get(p.contract);
    const handlers = this.host.handlers.get(p.contract);
    if (!contract || !handlers || !this.host.servesLocally(contract.block)) {
      return refuse(
        contract
          ? noServer(this.host.registry, contract, m.correlation_id)
          : new BlockError(Codes.UNKNOWN_CONTRACT, `no contract "${p.contract}" is known here`),
      );
    }
    const spec = contract.actions[p.action];
    if (!spec)
      return refuse(
        new BlockError(Codes.UNKNOWN_ACTION, `${p.contract} has no action "${p.action}"`),
      );
    const parsed = spec.input.safeParse(p.input);
    if (!parsed.success) {
      return refuse(
        new BlockError(
          Codes.INVALID_PAYLOAD,
          `invalid input for ${p.contract}.${p.action}: ${formatIssues(parsed.error)}`,
        ),
      );
    }
    const timeoutMs =
      typeof p.timeout_ms === 'number' && p.timeout_ms > 0
        ? p.timeout_ms
        : this.host.settings.requestTimeoutMs;
    try {
      const call = new HandlerContext(
        this.host.core,
        contract.block,
        m.correlation_id,
        m.source_block,
      );
      const result = await invokeLocal(
        this.host.sweeper,
        handlers.get(p.action)!,
        parsed.data,
        call,
        timeoutMs,
        p.contract,
        p.action,
      );
      await answer({ ok: true, result: result === undefined ? null : result });
    } catch (err) {
      const e = toBlockError(err, m.correlation_id);
      if (e.code === Codes.INTERNAL)
        this.host
          .childLogger(contract.block, m.correlation_id)
          .error({ err }, `${p.contract}.${p.action} failed`);
      await refuse(e);
    }
  }

  private reply(request: Envelope, id: string, replyTo: string, body: Reply): Promise<void> {
    const envelope = createEnvelope({
      source_block: request.target_block ?? 'orchestrator',
      target_block: request.source_block,
      event_type: 'response',
      payload: { id, ...body },
      correlation_id: request.correlation_id,
    });
    return this.host.bus
      .publish(NODE_CHANNEL + replyTo, envelope)
      .then(undefined, (err) =>
        this.host.log.warn({ err, correlation_id: request.correlation_id }, 'could not send reply'),
      );
  }

  /** An answer to one of our requests; a late one (after its timeout) has nobody to go to. */
  private settle(m: Envelope): void {
    const p = m.payload as {
      id?: unknown;
      ok?: unknown;
      result?: unknown;
      error?: Partial<SerializedError>;
    };
    if (!p || typeof p.id !== 'string' || typeof p.ok !== 'boolean') {
      this.host.reject(
        NODE_CHANNEL + this.host.nodeId,
        'malformed response payload (needs id and ok)',
      );
      return;
    }
    const entry = this.pending.get(p.id);
    if (!entry) return;
    if (p.ok) {
      entry.ok(p.result);
      return;
    }
    const e = p.error ?? {};
    entry.fail(
      BlockError.from(
        {
          code: typeof e.code === 'string' ? e.code : Codes.INTERNAL,
          message: typeof e.message === 'string' ? e.message : 'remote error',
          retryable: e.retryable === true,
          status: e.status,
          details: e.details,
        },
        m.correlation_id,
      ),
    );
  }
}
