/**
 * The coded errors of the orchestration API. They are defined in the platform (src/platform/
 * errors.ts), which the HTTP plumbing below the layer shares; blocks import them from here.
 */
export {
  BlockError,
  OrchestrationCodes,
  isInfrastructureError,
  toBlockError,
  type BlockErrorOptions,
  type SerializedError,
} from '../platform/errors.ts';
