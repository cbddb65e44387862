import { type EventForgeError, getErrorReason, isEventForgeError } from "@eventforge/client";
import { clockTime, listLabels } from "./format.js";

/** Exit codes: 0 done, 1 the call (or the work it needed) failed, 2 the command line is wrong. */
export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

/** The command line asked for something impossible (a bad range, a missing option): exit 2. */
export class UsageError extends Error {}

/** A failure the CLI finds by itself, reported like the server's: `REASON: message`, exit 1. */
export class CliFailure extends Error {
  constructor(
    readonly reason: string,
    message: string,
  ) {
    super(message);
  }
}

/** What DUPLICATE_SEAT_LABEL found: `repeated: A2; already on the show: B5`, either part left out when empty. */
export function duplicateLabelsLine(found: {
  repeated?: readonly string[];
  existing?: readonly string[];
}): string {
  const { repeated = [], existing = [] } = found;
  return [
    repeated.length > 0 ? `repeated: ${listLabels(repeated)}` : "",
    existing.length > 0 ? `already on the show: ${listLabels(existing)}` : "",
  ]
    .filter(Boolean)
    .join("; ");
}

/** One line for stderr, `REASON: what happened`, for any failure of a command. */
export function describeFailure(error: unknown, url: string): string {
  if (error instanceof FailureWithNote) return `${describeFailure(error.failure, url)}; ${error.note}`;
  const line = isEventForgeError(error)
    ? describeServerError(error, url)
    : error instanceof CliFailure
      ? `${error.reason}: ${error.message}`
      : `INTERNAL: ${error instanceof Error ? error.message : String(error)}`;
  return line.replace(/\s+/gu, " ").trim();
}

function describeServerError(error: EventForgeError, url: string): string {
  const reason = getErrorReason(error);
  if (!reason) return describeTransportFailure(error, url);
  const details = error.data?.details ?? {};
  const text = (key: string) => (typeof details[key] === "string" ? details[key] : undefined);
  const labels = (key: string) =>
    Array.isArray(details[key]) ? details[key].filter((l): l is string => typeof l === "string") : [];
  switch (reason) {
    case "SEAT_TAKEN": {
      const heldUntil = text("held_until");
      const seat = text("seat_number") ?? "the seat";
      return heldUntil
        ? `${reason}: seat ${seat} is held until ${clockTime(new Date(heldUntil))}`
        : `${reason}: seat ${seat} is already sold`;
    }
    case "HOLD_EXPIRED": {
      const expiry = text("hold_expiry");
      return expiry
        ? `${reason}: the hold on reservation ${String(details.reservation_id)} expired at ${clockTime(new Date(expiry))}`
        : `${reason}: ${error.message}`;
    }
    case "DUPLICATE_SEAT_LABEL":
      return `${reason}: ${duplicateLabelsLine({ repeated: labels("repeated"), existing: labels("existing") })}`;
    case "SEAT_NOT_FOUND": {
      const seat = text("seat_number");
      return seat && typeof details.show_id === "number"
        ? `${reason}: show ${details.show_id} has no seat ${seat}`
        : `${reason}: ${error.message}`;
    }
    case "TOKEN_EXPIRED":
      return `${reason}: your login has expired: run \`eventforge login\` again`;
    case "INVALID_TOKEN":
      return `${reason}: ${url} does not accept your saved login (did its secret change?): run \`eventforge login\` again`;
    default:
      return `${reason}: ${error.message}`;
  }
}

/** No reason: the answer did not come from an EventForge server, or no answer came at all. */
function describeTransportFailure(error: EventForgeError, url: string): string {
  const problem = networkProblem(error);
  if (problem === "TimeoutError") return `UNREACHABLE: ${url} did not answer in time`;
  if (problem) {
    return `UNREACHABLE: cannot reach the EventForge server at ${url} (${problem}): is it running? Set --url or EVENTFORGE_URL`;
  }
  const status = error.meta?.response instanceof Response ? ` (HTTP ${error.meta.response.status})` : "";
  return `UNEXPECTED_RESPONSE: ${url} did not answer like an EventForge server${status}: ${error.message}`;
}

/**
 * Why no answer came, when none did: fetch rejects with a TypeError whose cause chain ends in a system
 * error (ECONNREFUSED, ENOTFOUND, ...), or our timeout aborts it (TimeoutError).
 */
function networkProblem(error: EventForgeError): string | undefined {
  const chain: Error[] = [];
  let cause: unknown = error.cause;
  while (cause instanceof Error && chain.length < 5) {
    chain.push(cause);
    // Several addresses (localhost: ::1 and 127.0.0.1) fail together as an AggregateError.
    cause = cause instanceof AggregateError ? cause.errors[0] : cause.cause;
  }
  if (chain.some((cause) => cause.name === "TimeoutError")) return "TimeoutError";
  if (!(chain[0] instanceof TypeError)) return undefined;
  const innermost = chain.at(-1);
  const code = chain.map((cause) => (cause as NodeJS.ErrnoException).code).find((c) => typeof c === "string");
  return code ?? innermost?.message;
}

/** A failure with what the command had done by then: `REASON: message; note`. */
export class FailureWithNote extends Error {
  constructor(
    readonly failure: unknown,
    readonly note: string,
  ) {
    super(note, { cause: failure });
  }
}
