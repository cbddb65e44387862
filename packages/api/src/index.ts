import type { inferRouterInputs, inferRouterOutputs } from "@trpc/server";
import type { AppRouter } from "./root.js";

export {
  type Context,
  type ContextDeps,
  createContextFactory,
  createContextInner,
  type RequestFacts,
} from "./context.js";
export {
  asDomainError,
  domainErrorResponse,
  domainErrorToTRPCError,
  type ErrorData,
  type ErrorReason,
  httpStatusOfTransportCode,
  isDatabaseUnavailable,
  responseHeadersOf,
  transportErrorBody,
} from "./errors.js";
export { IDEMPOTENT_REPLAYED_HEADER } from "./idempotency.js";
export {
  createRateLimits,
  type RateLimitPolicy,
  type RateLimitStore,
  type RateLimits,
  type RateSettings,
  UNLIMITED_RATES,
} from "./rate-limits.js";
export { type AppRouter, appRouter, createCaller, restRouter } from "./root.js";

export type RouterInputs = inferRouterInputs<AppRouter>;
export type RouterOutputs = inferRouterOutputs<AppRouter>;
export { MAX_INPUT_DEPTH, nestsDeeperThan } from "./input-depth.js";
export { DEFAULT_MAX_BATCH, MAX_ID, MAX_SEATS_PER_REQUEST } from "./limits.js";
export { createOpenApiDocument } from "./openapi.js";
export {
  type ErrorDataOf,
  type ErrorDetailsOf,
  type ErrorReasonOf,
  PROCEDURE_ERRORS,
  type ProcedurePath,
} from "./procedure-errors.js";
