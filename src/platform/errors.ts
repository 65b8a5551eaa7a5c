/**
 * Errors with stable codes, the kind that cross block boundaries. Callers match on `code`, never
 * on classes, because an error raised in another process arrives as plain data and is rebuilt
 * here. It lives in the platform, below everything, because the HTTP plumbing, the path guard
 * and the job queue raise it too; the orchestration layer re-exports it as part of its API.
 */

/**
 * Codes of the infrastructure (the bus, the breakers, timeouts). Blocks keep their own codes in
 * their models.
 */
export const OrchestrationCodes = {
  TIMEOUT: 'TIMEOUT',
  BLOCK_UNAVAILABLE: 'BLOCK_UNAVAILABLE',
  CONTRACT_UNAVAILABLE: 'CONTRACT_UNAVAILABLE',
  UNKNOWN_CONTRACT: 'UNKNOWN_CONTRACT',
  UNKNOWN_ACTION: 'UNKNOWN_ACTION',
  INVALID_PAYLOAD: 'INVALID_PAYLOAD',
  CIRCUIT_OPEN: 'CIRCUIT_OPEN',
  TRANSPORT_DOWN: 'TRANSPORT_DOWN',
  INTERNAL: 'INTERNAL',
  SHUTTING_DOWN: 'SHUTTING_DOWN',
} as const;

/**
 * Infrastructure failures: the target could not answer. Only these count against a circuit
 * breaker and only these may trigger a fallback; a business error ("invalid token") means
 * the target is alive and answered.
 */
const INFRA_CODES = new Set<string>([
  OrchestrationCodes.TIMEOUT,
  OrchestrationCodes.BLOCK_UNAVAILABLE,
  OrchestrationCodes.CONTRACT_UNAVAILABLE,
  OrchestrationCodes.CIRCUIT_OPEN,
  OrchestrationCodes.TRANSPORT_DOWN,
  OrchestrationCodes.INTERNAL,
  OrchestrationCodes.SHUTTING_DOWN,
]);

const DEFAULT_HTTP_STATUS: Record<string, number> = {
  TIMEOUT: 504,
  BLOCK_UNAVAILABLE: 503,
  CONTRACT_UNAVAILABLE: 503,
  CIRCUIT_OPEN: 503,
  TRANSPORT_DOWN: 503,
  SHUTTING_DOWN: 503,
  INVALID_PAYLOAD: 400,
  UNKNOWN_CONTRACT: 500,
  UNKNOWN_ACTION: 500,
  INTERNAL: 500,
};

export interface SerializedError {
  code: string;
  message: string;
  retryable: boolean;
  status?: number;
  details?: unknown;
}

export interface BlockErrorOptions {
  retryable?: boolean;
  /** HTTP status to use when this error reaches an HTTP client. */
  status?: number;
  details?: unknown;
  correlationId?: string;
  cause?: unknown;
}

export class BlockError extends Error {
  readonly code: string;
  readonly retryable: boolean;
  readonly status: number;
  readonly details?: unknown;
  correlationId?: string;

  constructor(code: string, message: string, opts: BlockErrorOptions = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'BlockError';
    this.code = code;
    this.retryable = opts.retryable ?? false;
    this.status = opts.status ?? DEFAULT_HTTP_STATUS[code] ?? 400;
    this.details = opts.details;
    this.correlationId = opts.correlationId;
  }

  toJSON(): SerializedError {
    const out: SerializedError = {
      code: this.code,
      message: this.message,
      retryable: this.retryable,
      status: this.status,
    };
    if (this.details !== undefined) out.details = this.details;
    return out;
  }

  static from(data: SerializedError, correlationId?: string): BlockError {
    return new BlockError(data.code, data.message, {
      retryable: data.retryable,
      status: data.status,
      details: data.details,
      correlationId,
    });
  }
}

/** Turns anything thrown by a handler into a BlockError; unknown throwables become INTERNAL. */
export function toBlockError(err: unknown, correlationId?: string): BlockError {
  if (err instanceof BlockError) {
    if (correlationId && !err.correlationId) err.correlationId = correlationId;
    return err;
  }
  const message = errorMessage(err);
  return new BlockError(OrchestrationCodes.INTERNAL, message || 'internal error', {
    retryable: true,
    correlationId,
    cause: err,
  });
}

export function isInfrastructureError(err: unknown): boolean {
  return err instanceof BlockError ? INFRA_CODES.has(err.code) : true;
}

/** The message of a thrown value: an Error's own message, anything else as text. */
export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
