import { DatabaseUnreachableError } from "@eventforge/db";
import { DatabaseUnavailableError, DomainError, type DomainErrorReason } from "@eventforge/domain";
import { TRPCError } from "@trpc/server";
import { getHTTPStatusCodeFromError } from "@trpc/server/http";
import type { TRPC_ERROR_CODE_KEY } from "@trpc/server/rpc";
import { RateLimitRefusal, rateLimitHeaders } from "./rate-limits.js";

/** The one table from a domain failure to its transport status (tRPC code → HTTP status). */
const CODE_BY_REASON = {
  INVALID_INPUT: "BAD_REQUEST",
  INVALID_SEAT_LABEL: "BAD_REQUEST",
  NOT_AUTHENTICATED: "UNAUTHORIZED",
  INVALID_CREDENTIALS: "UNAUTHORIZED",
  INVALID_TOKEN: "UNAUTHORIZED",
  TOKEN_EXPIRED: "UNAUTHORIZED",
  FORBIDDEN: "FORBIDDEN",
  USER_NOT_FOUND: "NOT_FOUND",
  SHOW_NOT_FOUND: "NOT_FOUND",
  SEAT_NOT_FOUND: "NOT_FOUND",
  RESERVATION_NOT_FOUND: "NOT_FOUND",
  EMAIL_TAKEN: "CONFLICT",
  DUPLICATE_SEAT_LABEL: "CONFLICT",
  SEAT_TAKEN: "CONFLICT",
  SHOW_STARTED: "CONFLICT",
  HOLD_EXPIRED: "CONFLICT",
  INVALID_TRANSITION: "CONFLICT",
  HOLD_LIMIT_REACHED: "CONFLICT",
  BATCH_TOO_LARGE: "BAD_REQUEST",
  IDEMPOTENCY_KEY_REUSED: "UNPROCESSABLE_CONTENT",
  IDEMPOTENCY_KEY_IN_USE: "CONFLICT",
  DATABASE_UNAVAILABLE: "SERVICE_UNAVAILABLE",
  WATCHER_TOO_SLOW: "TIMEOUT",
} as const satisfies Record<DomainErrorReason, TRPC_ERROR_CODE_KEY>;

/** Reasons of failures that happen before or around a procedure rather than in a service. */
const REASON_BY_TRANSPORT_CODE = {
  BAD_REQUEST: "INVALID_INPUT",
  PARSE_ERROR: "INVALID_INPUT",
  UNSUPPORTED_MEDIA_TYPE: "UNSUPPORTED_MEDIA_TYPE",
  PAYLOAD_TOO_LARGE: "PAYLOAD_TOO_LARGE",
  NOT_FOUND: "PROCEDURE_NOT_FOUND",
  METHOD_NOT_SUPPORTED: "METHOD_NOT_SUPPORTED",
  UNAUTHORIZED: "NOT_AUTHENTICATED",
  FORBIDDEN: "FORBIDDEN",
  TOO_MANY_REQUESTS: "TOO_MANY_REQUESTS",
} as const satisfies Partial<Record<TRPC_ERROR_CODE_KEY, string>>;

type TransportReason = (typeof REASON_BY_TRANSPORT_CODE)[keyof typeof REASON_BY_TRANSPORT_CODE];

/** The machine-readable reason every error response carries in `data.reason`. */
export type ErrorReason = DomainErrorReason | TransportReason | "INTERNAL";

/** The HTTP status of a failure around a procedure (tRPC's: 415 for a body that is not JSON). */
export function httpStatusOfTransportCode(code: TRPC_ERROR_CODE_KEY): number {
  return getHTTPStatusCodeFromError(new TRPCError({ code }));
}

/** The HTTP status of a response whose `data.reason` is this. */
export function httpStatusOfReason(reason: ErrorReason): number {
  if (reason === "INTERNAL") return 500;
  if (Object.hasOwn(CODE_BY_REASON, reason)) return httpStatusOf(reason as DomainErrorReason);
  const [code] = Object.entries(REASON_BY_TRANSPORT_CODE).find(([, r]) => r === reason) ?? [
    "INTERNAL_SERVER_ERROR",
  ];
  return httpStatusOfTransportCode(code as TRPC_ERROR_CODE_KEY);
}

/** The error body of a request that reached no procedure (REST: an unknown path or method). */
export function transportErrorBody(code: keyof typeof REASON_BY_TRANSPORT_CODE, message: string) {
  const httpStatus = httpStatusOfTransportCode(code);
  const data: ErrorData & { httpStatus: number } = {
    reason: REASON_BY_TRANSPORT_CODE[code],
    details: null,
    issues: null,
    httpStatus,
  };
  return { httpStatus, body: { message, code, data } };
}

/** The HTTP status a domain failure is answered with. */
export function httpStatusOf(reason: DomainErrorReason): number {
  return getHTTPStatusCodeFromError(new TRPCError({ code: CODE_BY_REASON[reason] }));
}

/** What a 503 DATABASE_UNAVAILABLE tells the client to wait before retrying. */
export const DATABASE_RETRY_AFTER_SECONDS = 2;

/**
 * SQLSTATEs that say the database is not there for us right now: class 08 (connection exception),
 * the server shutting down or restarting (57P01–57P03), too many connections (53300), and a
 * statement cancelled by statement_timeout (57014: the database did not answer in time).
 */
const UNAVAILABLE_SQLSTATES = new Set(["57P01", "57P02", "57P03", "53300", "57014"]);
/** Socket errors (Node's codes) that reach a query when its connection breaks. */
const NETWORK_ERROR_CODES = new Set([
  "ECONNRESET",
  "ECONNREFUSED",
  "EPIPE",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
]);

/**
 * Whether a failure means "the database is unavailable" (503 DATABASE_UNAVAILABLE) rather than a
 * bug (500): what pg reports without a SQLSTATE arrives as DatabaseUnreachableError (see
 * createDb), the rest by SQLSTATE. The one place that decides it.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  if (error instanceof DatabaseUnreachableError) return true;
  const code = typeof error === "object" && error !== null ? (error as { code?: unknown }).code : undefined;
  return (
    typeof code === "string" &&
    (code.startsWith("08") || UNAVAILABLE_SQLSTATES.has(code) || NETWORK_ERROR_CODES.has(code))
  );
}

/**
 * Headers a failed response carries: Retry-After on a 503 DATABASE_UNAVAILABLE; Retry-After,
 * RateLimit-Policy and RateLimit on a 429. For both adapters' `responseMeta`.
 */
export function responseHeadersOf(errors: readonly TRPCError[]): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const error of errors) {
    if (error.cause instanceof RateLimitRefusal) Object.assign(headers, rateLimitHeaders(error.cause));
    else if (error.cause instanceof DatabaseUnavailableError && headers["retry-after"] === undefined) {
      headers["retry-after"] = String(error.cause.retryAfterSeconds);
    }
  }
  return headers;
}

/** A failure of a procedure as the domain error the client sees, when it is one. */
export function asDomainError(error: unknown): DomainError | undefined {
  if (error instanceof DomainError) return error;
  if (isDatabaseUnavailable(error)) return new DatabaseUnavailableError(DATABASE_RETRY_AFTER_SECONDS);
  return undefined;
}

/** The REST answer to a domain failure met outside a procedure (the live event stream). */
export function domainErrorResponse(error: DomainError) {
  const httpStatus = httpStatusOf(error.reason);
  const data: ErrorData & { httpStatus: number } = {
    reason: error.reason,
    details: error.details,
    issues: null,
    httpStatus,
  };
  return { httpStatus, body: { message: error.message, code: CODE_BY_REASON[error.reason], data } };
}

export function domainErrorToTRPCError(error: DomainError): TRPCError {
  return new TRPCError({ code: CODE_BY_REASON[error.reason], message: error.message, cause: error });
}

/** What the error formatter adds to every error shape's `data`. */
export interface ErrorData {
  reason: ErrorReason;
  details: Record<string, unknown> | null;
  /** Validation issues (zod) of a BAD_REQUEST for invalid input. */
  issues: ReadonlyArray<{ path: ReadonlyArray<PropertyKey>; message: string; code?: string }> | null;
}

export function errorData(error: TRPCError): ErrorData {
  const cause = error.cause;
  if (cause instanceof DomainError) return { reason: cause.reason, details: cause.details, issues: null };
  if (cause instanceof RateLimitRefusal) {
    const { name, points, windowSeconds } = cause.policy;
    return {
      reason: "TOO_MANY_REQUESTS",
      details: { limit: name, points, window_seconds: windowSeconds, retry_after: cause.retryAfterSeconds },
      issues: null,
    };
  }
  const issues = hasIssues(cause)
    ? cause.issues.map((i) => ({ path: i.path ?? [], message: i.message, code: i.code }))
    : null;
  const byCode: Partial<Record<TRPC_ERROR_CODE_KEY, TransportReason>> = REASON_BY_TRANSPORT_CODE;
  return { reason: byCode[error.code] ?? "INTERNAL", details: null, issues };
}

function hasIssues(
  cause: unknown,
): cause is { issues: { path?: PropertyKey[]; message: string; code?: string }[] } {
  return typeof cause === "object" && cause !== null && Array.isArray((cause as { issues?: unknown }).issues);
}

/** The message a caller sees: readable validation issues; nothing at all about an unexpected failure. */
export function publicMessage(error: TRPCError, data: ErrorData, message: string): string {
  if (error.code === "INTERNAL_SERVER_ERROR") return "internal server error"; // the server logs the cause
  if (data.reason === "INVALID_INPUT" && data.issues) {
    const issues = data.issues.map((i) =>
      i.path.length > 0 ? `${i.path.join(".")}: ${i.message}` : i.message,
    );
    return `invalid input: ${issues.join("; ")}`;
  }
  return message;
}
