/**
 * The request path: check the input against the contract, pass through the target block's
 * breaker, run the handler here or send the call to the process that serves it, and, when the
 * target cannot answer, use the caller's or the contract's fallback.
 */
import { isBrokenCircuitError } from 'cockatiel';
import { invokeLocal, noServer, type AnyHandler } from './calls.ts';
import { HandlerContext, type AnyRequestOptions } from './client.ts';
import type { Contract } from './contracts/define.ts';
import {
  BlockError,
  OrchestrationCodes as Codes,
  isInfrastructureError,
  toBlockError,
} from './errors.ts';
import { newCorrelationId } from './message.ts';
import type { NodeParts } from './node-parts.ts';
import type { RemoteCalls } from './remote-calls.ts';
import { formatIssues } from './validation.ts';

export type Fallback = NonNullable<AnyRequestOptions['fallback']>;

export class RequestPath {
  private readonly fallbacks = new Map<string, Fallback>();

  constructor(
    private readonly host: NodeParts,
    private readonly remote: RemoteCalls,
  ) {}

  /** Declares the fallback used when `contract.action` cannot be answered. */
  setFallback(contract: string, action: string, fallback: Fallback): void {
    this.fallbacks.set(`${contract}.${action}`, fallback);
  }

  async request(
    from: string,
    contractId: string,
    action: string,
    input: unknown,
    opts: AnyRequestOptions | undefined,
    inherited: string | undefined,
  ): Promise<unknown> {
    const correlationId = opts?.correlationId ?? inherited ?? newCorrelationId();
    const contract = this.host.catalog.get(contractId);
    if (!contract)
      throw new BlockError(Codes.UNKNOWN_CONTRACT, `no contract "${contractId}" is known`, {
        correlationId,
      });
    const spec = contract.actions[action];
    if (!spec)
      throw new BlockError(Codes.UNKNOWN_ACTION, `${contractId} has no action "${action}"`, {
        correlationId,
      });
    const parsed = spec.input.safeParse(input);
    if (!parsed.success) {
      throw new BlockError(
        Codes.INVALID_PAYLOAD,
        `invalid input for ${contractId}.${action}: ${formatIssues(parsed.error)}`,
        { correlationId },
      );
    }
    const stats = this.host.metrics.action(contract.block, contractId, action);
    const started = performance.now();
    const timeoutMs = opts?.timeoutMs ?? this.host.settings.requestTimeoutMs;
    try {
      const result = await this.host.breakers
        .for(contract.block)
        .execute(() =>
          this.dispatch(from, contract, action, parsed.data, correlationId, timeoutMs),
        );
      stats.observe((performance.now() - started) / 1000);
      return result;
    } catch (raw) {
      const err = isBrokenCircuitError(raw)
        ? new BlockError(
            Codes.CIRCUIT_OPEN,
            `circuit to block "${contract.block}" is open: it failed repeatedly`,
            { retryable: true, correlationId },
          )
        : toBlockError(raw, correlationId);
      stats.observe((performance.now() - started) / 1000);
      stats.error(err.code);
      const fallback = isInfrastructureError(err)
        ? (opts?.fallback ?? this.fallbacks.get(`${contractId}.${action}`))
        : undefined;
      if (!fallback) throw err;
      this.host
        .childLogger(from, correlationId)
        .warn({ target: contractId, action, code: err.code }, 'using fallback: target unavailable');
      return fallback(parsed.data as never, err);
    }
  }

  /** Here when this process serves the block, else the instance the registry picks. */
  private dispatch(
    from: string,
    contract: Contract,
    action: string,
    input: unknown,
    correlationId: string,
    timeoutMs: number,
  ): unknown {
    const local = this.host.handlers.get(contract.id);
    if (local && this.host.servesLocally(contract.block))
      return this.runHere(local, from, contract, action, input, correlationId, timeoutMs);
    const server = this.host.registry.pickServer(contract.id);
    if (!server) throw noServer(this.host.registry, contract, correlationId);
    if (server.node_id === this.host.nodeId) {
      const handlers = this.host.handlers.get(contract.id);
      if (!handlers) throw noServer(this.host.registry, contract, correlationId);
      return this.runHere(handlers, from, contract, action, input, correlationId, timeoutMs);
    }
    return this.remote.send(
      server.node_id,
      from,
      contract,
      action,
      input,
      correlationId,
      timeoutMs,
    );
  }

  private runHere(
    handlers: Map<string, AnyHandler>,
    from: string,
    contract: Contract,
    action: string,
    input: unknown,
    correlationId: string,
    timeoutMs: number,
  ): unknown {
    return invokeLocal(
      this.host.sweeper,
      handlers.get(action)!,
      input,
      new HandlerContext(this.host.core, contract.block, correlationId, from),
      timeoutMs,
      contract.id,
      action,
    );
  }
}
