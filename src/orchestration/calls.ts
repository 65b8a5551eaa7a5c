/**
 * One call in flight, local or remote, and the errors a caller gets when nobody can answer.
 * Shared by the request path (which sends calls) and the remote server (which runs them).
 */
import type { Contract } from './contracts/define.ts';
import type { HandlerContext } from './client.ts';
import { Deadline, type DeadlineSweeper } from './deadlines.ts';
import { BlockError, OrchestrationCodes as Codes, toBlockError } from './errors.ts';
import type { BlockRegistry } from './registry.ts';

export type AnyHandler = (input: unknown, call: HandlerContext) => unknown;

/** contract id → action → handler, for the blocks hosted in this process. */
export type HandlerTable = Map<string, Map<string, AnyHandler>>;

/**
 * One request waiting for its answer: settles once, by answer, error or timeout. A class
 * rather than closures because a closure per call is measurably slower on the hot path.
 */
export class PendingCall extends Deadline {
  readonly promise: Promise<unknown>;
  private resolve!: (v: unknown) => void;
  private reject!: (e: unknown) => void;

  constructor(
    at: number,
    private readonly sweeper: DeadlineSweeper,
    private readonly contractId: string,
    private readonly action: string,
    private readonly timeoutMs: number,
    private readonly correlationId: string,
    private readonly table?: Map<string, PendingCall>,
    private readonly id?: string,
    /** The node a remote request was sent to. */
    readonly node?: string,
  ) {
    super(at);
    this.promise = new Promise((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
  }

  ok(value: unknown): void {
    this.done();
    this.resolve(value);
  }

  fail(err: unknown): void {
    this.done();
    this.reject(toBlockError(err, this.correlationId));
  }

  expire(): void {
    this.table?.delete(this.id!);
    this.reject(
      new BlockError(
        Codes.TIMEOUT,
        `${this.contractId}.${this.action} did not answer within ${this.timeoutMs} ms`,
        { retryable: true, correlationId: this.correlationId },
      ),
    );
  }

  /** The request could not even be sent (transport down). */
  unsent(err: unknown): void {
    this.fail(
      err instanceof BlockError
        ? err
        : new BlockError(Codes.TRANSPORT_DOWN, `cannot send request: ${String(err)}`, {
            retryable: true,
            correlationId: this.correlationId,
          }),
    );
  }

  private done(): void {
    this.sweeper.delete(this);
    this.table?.delete(this.id!);
  }
}

/**
 * Runs a handler of this process. A synchronous answer is returned as is (no promise, no
 * deadline: the fast path); a promise is raced against the call's deadline.
 */
export function invokeLocal(
  sweeper: DeadlineSweeper,
  handler: AnyHandler,
  input: unknown,
  call: HandlerContext,
  timeoutMs: number,
  contractId: string,
  action: string,
): unknown {
  let result: unknown;
  try {
    result = handler(input, call);
  } catch (err) {
    throw toBlockError(err, call.correlationId);
  }
  if (
    result === null ||
    typeof result !== 'object' ||
    typeof (result as Promise<unknown>).then !== 'function'
  )
    return result;
  const deadline = new PendingCall(
    performance.now() + timeoutMs,
    sweeper,
    contractId,
    action,
    timeoutMs,
    call.correlationId,
  );
  sweeper.add(deadline);
  (result as Promise<unknown>).then(
    (v) => deadline.ok(v),
    (e) => deadline.fail(e),
  );
  return deadline.promise;
}

/** Why no instance can answer `contract`: another version only, the block down, or no block. */
export function noServer(
  registry: BlockRegistry,
  contract: Contract,
  correlationId: string,
): BlockError {
  if (registry.hasBlock(contract.block)) {
    const serving = registry.instancesOf(contract.block).filter((i) => registry.isServing(i));
    if (serving.length > 0) {
      const versions = [...new Set(serving.flatMap((i) => i.contracts))].join(', ');
      return new BlockError(
        Codes.CONTRACT_UNAVAILABLE,
        `no instance of block "${contract.block}" serves ${contract.id} (served: ${versions})`,
        { correlationId },
      );
    }
    const status = registry.aggregateStatus(contract.block);
    return new BlockError(
      Codes.BLOCK_UNAVAILABLE,
      `block "${contract.block}" is ${status}; it cannot answer ${contract.id}`,
      { retryable: true, correlationId },
    );
  }
  return new BlockError(
    Codes.BLOCK_UNAVAILABLE,
    `no process serves block "${contract.block}" (${contract.id})`,
    { retryable: true, correlationId },
  );
}
