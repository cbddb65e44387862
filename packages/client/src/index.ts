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
import { DEFAULT_MAX_BATCH } from "@eventforge/api/limits";
import {
  createTRPCClient,
  httpBatchLink,
  httpLink,
  httpSubscriptionLink,
  type Operation,
  splitLink,
  type TRPCClient,
  TRPCClientError,
  type TRPCLink,
  type TRPCRequestOptions,
} from "@trpc/client";
import { EventSource } from "eventsource";
import { transformer } from "./transformer.js";

/** The api's limits and the label spelling, for callers that split or check input before sending it. */
export {
  DEFAULT_MAX_BATCH,
  HOLD_MINUTES,
  MAX_ID,
  MAX_SEATS_PER_HOLD,
  MAX_SEATS_PER_REQUEST,
  spellSeatLabel,
} from "@eventforge/api/limits";
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

/** The wire format (superjson) of requests and responses, for a client built with other links. */
export { transformer };

export type EventForgeClient = TRPCClient<AppRouter>;

/** A tRPC link of this API: one of `createEventForgeLinks`, or one of your own placed before them. */
export type EventForgeLink = TRPCLink<AppRouter>;

export interface EventForgeLinkOptions {
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
 * Where the client's own links go, or the links to use instead (they already know where):
 * `{ links: [myLink, ...createEventForgeLinks({ url, token })] }` puts a logger, say, in front.
 */
export type EventForgeClientOptions = EventForgeLinkOptions | { links: EventForgeLink[] };

/**
 * The typed EventForge client: `client.reservations.hold.mutate({ seat_id })` with inputs,
 * outputs and errors inferred from the server's router. Calls made together are batched into
 * one HTTP request. Subscriptions (`client.availability.watch.subscribe(...)`) go over
 * Server-Sent Events, each on a stream of its own, and resume after the last change seen when
 * the stream reconnects.
 */
export function createEventForgeClient(options: EventForgeClientOptions): EventForgeClient {
  return createTRPCClient<AppRouter>({
    links: "links" in options ? options.links : createEventForgeLinks(options),
  });
}

/**
 * The links `createEventForgeClient` uses, for a client made another way (a React Query setup's
 * `createTRPCClient({ links })`) or with links of your own in front: subscriptions over SSE, a
 * call with an idempotency key in a request of its own, other calls batched.
 */
export function createEventForgeLinks(options: EventForgeLinkOptions): EventForgeLink[] {
  const base = options.url.replace(/\/+$/u, "");
  const url = base.endsWith("/trpc") ? base : `${base}/trpc`;
  const headersOf = async (): Promise<Record<string, string>> => {
    const token = typeof options.token === "function" ? await options.token() : options.token;
    return { ...options.headers, ...(token ? { authorization: `Bearer ${token}` } : {}) };
  };
  const fetchImplementation = options.fetch ?? globalThis.fetch;
  const common = {
    url,
    // superjson on the wire; responses of plain data with Dates take a faster path.
    transformer,
    ...(options.fetch ? { fetch: options.fetch } : {}),
  };
  return [
    splitLink({
      condition: (op) => op.type === "subscription",
      true: httpSubscriptionLink({
        url,
        transformer,
        // The `eventsource` package: Node 20 has no EventSource, and a browser's cannot send
        // headers; this one fetches, so the token and extra headers go along.
        EventSource,
        eventSourceOptions: async () => {
          const headers = await headersOf();
          return {
            fetch: (input, init) =>
              fetchImplementation(input, { ...init, headers: { ...init.headers, ...headers } }),
          };
        },
      }),
      false: splitLink({
        // A call with an idempotency key goes in a request of its own, the key in its header.
        condition: (op) => idempotencyKeyOf(op) !== undefined,
        true: httpLink({
          ...common,
          async headers({ op }) {
            return { ...(await headersOf()), "idempotency-key": idempotencyKeyOf(op) ?? "" };
          },
        }),
        false: httpBatchLink({
          ...common,
          // The server's default EVENTFORGE_MAX_BATCH: more calls at once go in several requests.
          maxItems: DEFAULT_MAX_BATCH,
          headers: headersOf,
        }),
      }),
    }),
  ];
}

const IDEMPOTENCY_KEY = "idempotencyKey";

function idempotencyKeyOf(op: Operation): string | undefined {
  const key = op.context[IDEMPOTENCY_KEY];
  return typeof key === "string" ? key : undefined;
}

/**
 * The options of a mutation retried safely (docs/design.md, Idempotency keys): the server runs it
 * at most once per key and answers a repeat with the first answer. Use a new key (e.g.
 * `crypto.randomUUID()`) per intended action, and the same key for each retry of it:
 * `client.reservations.hold.mutate(input, withIdempotencyKey(key))`. A key is 1–255 visible ASCII
 * characters; hold, holdMany, confirm, confirmMany and release honour it.
 */
export function withIdempotencyKey(key: string, options: TRPCRequestOptions = {}): TRPCRequestOptions {
  return { ...options, context: { ...options.context, [IDEMPOTENCY_KEY]: key } };
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
