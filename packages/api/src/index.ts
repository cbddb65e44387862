import type { inferRouterInputs, inferRouterOutputs } from "@trpc/server";
import type { AppRouter } from "./root.js";

export { type Context, type ContextDeps, createContextInner, createHttpContextFactory } from "./context.js";
export {
  type ErrorData,
  type ErrorReason,
  httpStatusOfTransportCode,
  transportErrorBody,
} from "./errors.js";
export { createLoginThrottle, type LoginThrottle } from "./login-throttle.js";
export { type AppRouter, appRouter, createCaller, restRouter } from "./root.js";

export type RouterInputs = inferRouterInputs<AppRouter>;
export type RouterOutputs = inferRouterOutputs<AppRouter>;
export { createOpenApiDocument } from "./openapi.js";
