import { createHash } from "node:crypto";
import {
  type Database,
  findIdempotencyRecord,
  purgeExpiredIdempotencyKeysBatch,
  storeIdempotencyRecord,
  tryClaimIdempotencyKey,
} from "@eventforge/db";
import { inBoundedBatches } from "./batches.js";
import {
  DomainError,
  type DomainErrorDetails,
  type DomainErrorReason,
  IdempotencyKeyInUseError,
  IdempotencyKeyReusedError,
  InvalidInputError,
  type ServiceErrors,
} from "./errors.js";

/** What a request with an Idempotency-Key can fail with besides its service's own errors. */
export const idempotencyErrors = [
  InvalidInputError,
  IdempotencyKeyReusedError,
  IdempotencyKeyInUseError,
] as const satisfies ServiceErrors;

/**
 * docs/design.md, Idempotency keys: 1–255 visible ASCII characters (no space, no control
 * character).
 */
const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/u;

/** The key of an `Idempotency-Key` header; undefined when there is none; InvalidInputError when bad. */
export function parseIdempotencyKey(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  if (!IDEMPOTENCY_KEY.test(header)) {
    throw new InvalidInputError("Idempotency-Key must be 1 to 255 visible ASCII characters", {
      field: "Idempotency-Key",
    });
  }
  return header;
}

/**
 * Failures that are not a request's outcome: invalid input (a 400 is not stored; docs/design.md,
 * Idempotency keys).
 */
const NOT_STORED: ReadonlySet<DomainErrorReason> = new Set<DomainErrorReason>([
  "INVALID_INPUT",
  "INVALID_SEAT_LABEL",
  "BATCH_TOO_LARGE",
  "DATABASE_UNAVAILABLE",
]);

/** A domain error as it was first answered, raised again for a replay. */
export class ReplayedDomainError extends DomainError {
  readonly reason: DomainErrorReason;
  constructor(reason: DomainErrorReason, message: string, details: DomainErrorDetails) {
    super(message, details);
    this.reason = reason;
  }
}

export interface IdempotentRequest {
  userId: number;
  key: string;
  /** The operation (procedure or route): the same key on another one is a different request. */
  operation: string;
  /** The request's input, as validated: a different one under the same key is refused. */
  input: unknown;
  /** How long the outcome is kept (EVENTFORGE_IDEMPOTENCY_TTL_HOURS). */
  ttlHours: number;
}

/** How an outcome is kept as text and read back exactly (the api passes its wire codec). */
export interface OutcomeCodec {
  stringify(value: unknown): string;
  parse(text: string): unknown;
}

export type IdempotentOutcome<T> =
  | { replayed: boolean; ok: true; value: T }
  | { replayed: boolean; ok: false; error: DomainError };

/**
 * Runs `effect` at most once per (user, key) (docs/design.md, Idempotency keys), in one transaction
 * with its record: the key is claimed (a transaction-scoped advisory lock, taken without waiting: a
 * request with the key in flight makes this one IdempotencyKeyInUseError), a stored outcome is
 * returned as a replay (IdempotencyKeyReusedError when it was for another operation or input), else
 * `effect` runs on the transaction and its outcome, a result or a domain error, is stored before
 * the commit. A domain error commits too: what the effect did before failing on purpose (a lapsed
 * hold marked EXPIRED) is part of the outcome. Invalid input and any other failure roll back,
 * leaving no record.
 */
export async function runIdempotently<T>(
  db: Database,
  request: IdempotentRequest,
  codec: OutcomeCodec,
  effect: (tx: Database) => Promise<T>,
): Promise<IdempotentOutcome<T>> {
  const requestHash = hashRequest(request.operation, request.input);
  const outcome = await db.transaction().execute(async (tx): Promise<IdempotentOutcome<T>> => {
    if (!(await tryClaimIdempotencyKey(tx, request.userId, request.key))) {
      throw new IdempotencyKeyInUseError();
    }
    const stored = await findIdempotencyRecord(tx, request.userId, request.key);
    if (stored) {
      if (stored.operation !== request.operation || stored.request_hash !== requestHash) {
        throw new IdempotencyKeyReusedError();
      }
      return stored.outcome === "result"
        ? { replayed: true, ok: true, value: codec.parse(stored.response) as T }
        : { replayed: true, ok: false, error: replayedError(codec.parse(stored.response)) };
    }
    const record = { userId: request.userId, key: request.key, operation: request.operation };
    const store = (outcome: "result" | "error", response: unknown) =>
      storeIdempotencyRecord(tx, {
        ...record,
        request_hash: requestHash,
        outcome,
        response: codec.stringify(response),
        ttlHours: request.ttlHours,
      });
    let value: T;
    try {
      value = await effect(tx);
    } catch (error) {
      if (!(error instanceof DomainError) || NOT_STORED.has(error.reason)) throw error;
      await store("error", { reason: error.reason, message: error.message, details: error.details });
      return { replayed: false, ok: false, error };
    }
    await store("result", value);
    return { replayed: false, ok: true, value };
  });
  return outcome;
}

function replayedError(stored: unknown): DomainError {
  const { reason, message, details } = stored as {
    reason: DomainErrorReason;
    message: string;
    details: DomainErrorDetails;
  };
  return new ReplayedDomainError(reason, message, details);
}

/** The request's identity: the operation and its input, keys sorted so key order does not matter. */
function hashRequest(operation: string, input: unknown): string {
  return createHash("sha256").update(operation).update("\n").update(canonicalJson(input)).digest("hex");
}

function canonicalJson(value: unknown): string {
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
  }
  return JSON.stringify(value) ?? "null";
}

/** Deletes expired idempotency records in bounded batches (at most `maxBatches`); returns how many. */
export async function purgeExpiredIdempotencyKeys(
  db: Database,
  options: { batchSize: number; maxBatches?: number },
): Promise<number> {
  // A batch short of the limit found every expired key.
  return inBoundedBatches(() => purgeExpiredIdempotencyKeysBatch(db, options.batchSize), {
    ...options,
    isLast: (purged) => purged < options.batchSize,
  });
}
