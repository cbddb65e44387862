import type {
  AppRouter,
  ErrorDataOf,
  ErrorDetailsOf,
  ErrorReason,
  ErrorReasonOf,
  ProcedurePath,
  RouterInputs,
  RouterOutputs,
} from "@eventforge/api";
import { createTRPCClient, httpBatchLink, type TRPCClient, TRPCClientError } from "@trpc/client";
import { transformer } from "./transformer.js";

export type {
  AppRouter,
  ErrorDataOf,
  ErrorDetailsOf,
  ErrorReason,
  ErrorReasonOf,
  ProcedurePath,
  RouterInputs,
  RouterOutputs,
};

export type EventForgeClient = TRPCClient<AppRouter>;

export interface EventForgeClientOptions {
  /** The server's base URL, e.g. `http://127.0.0.1:8001` (`/trpc` is added when missing). */
  url: string;
  /** A bearer access token from `auth.login`, or a function returning the current one. */
  token?: string | (() => string | undefined | Promise<string | undefined>);
  /** Extra headers sent with every request. */
  headers?: Record<string, string>;
  /** A fetch implementation; the global one by default. */
  fetch?: typeof fetch;
}

/**
 * The typed EventForge client: `client.reservations.hold.mutate({ seat_id })` with inputs,
 * outputs and errors inferred from the server's router. Calls made together are batched into
 * one HTTP request.
 */
export function createEventForgeClient(options: EventForgeClientOptions): EventForgeClient {
  const url = options.url.replace(/\/+$/u, "");
  return createTRPCClient<AppRouter>({
    links: [
      httpBatchLink({
        url: url.endsWith("/trpc") ? url : `${url}/trpc`,
        // superjson on the wire; responses of plain data with Dates take a faster path.
        transformer,
        // The server's default EVENTFORGE_MAX_BATCH: more calls at once go in several requests.
        maxItems: 10,
        ...(options.fetch ? { fetch: options.fetch } : {}),
        async headers() {
          const token = typeof options.token === "function" ? await options.token() : options.token;
          return { ...options.headers, ...(token ? { authorization: `Bearer ${token}` } : {}) };
        },
      }),
    ],
  });
}

/** An error returned by the EventForge server (as opposed to, say, a network failure). */
export type EventForgeError = TRPCClientError<AppRouter>;

export function isEventForgeError(error: unknown): error is EventForgeError {
  return error instanceof TRPCClientError;
}

/**
 * The stable machine-readable reason of a failed call (`SEAT_TAKEN`, `HOLD_EXPIRED`, ...), or
 * undefined when the error did not come from the server (e.g. it is unreachable).
 */
export function getErrorReason(error: unknown): ErrorReason | undefined {
  if (!isEventForgeError(error)) return undefined;
  return error.data?.reason ?? undefined;
}

/**
 * The reason and details of a failed call to `procedure`, typed by what that procedure can answer
 * (the server's PROCEDURE_ERRORS, which its OpenAPI document also follows): narrow on `reason` to
 * read that reason's `details`. Undefined when the error did not come from the server.
 */
export function errorDataOf<P extends ProcedurePath>(
  error: unknown,
  procedure: P,
): ErrorDataOf<P> | undefined {
  if (!isEventForgeError(error) || !error.data) return undefined;
  // A call's error names its procedure; one from another procedure is not this one's to type.
  if (error.data.path !== undefined && error.data.path !== procedure) return undefined;
  return { reason: error.data.reason, details: error.data.details } as ErrorDataOf<P>;
}
