import type { ReservationStatus } from "@eventforge/db";
import { z } from "zod";

/**
 * Every way an operation can fail on purpose, with a stable machine-readable reason.
 * The api package maps each reason to a transport status in one table (packages/api/src/errors.ts).
 */
export type DomainErrorReason =
  | "INVALID_INPUT"
  | "INVALID_SEAT_LABEL"
  | "NOT_AUTHENTICATED"
  | "INVALID_CREDENTIALS"
  | "INVALID_TOKEN"
  | "TOKEN_EXPIRED"
  | "FORBIDDEN"
  | "USER_NOT_FOUND"
  | "SHOW_NOT_FOUND"
  | "SEAT_NOT_FOUND"
  | "RESERVATION_NOT_FOUND"
  | "EMAIL_TAKEN"
  | "DUPLICATE_SEAT_LABEL"
  | "SEAT_TAKEN"
  | "SHOW_STARTED"
  | "HOLD_EXPIRED"
  | "INVALID_TRANSITION"
  | "HOLD_LIMIT_REACHED"
  | "BATCH_TOO_LARGE"
  | "IDEMPOTENCY_KEY_REUSED"
  | "IDEMPOTENCY_KEY_IN_USE"
  | "DATABASE_UNAVAILABLE"
  | "WATCHER_TOO_SLOW";

export type DomainErrorDetails = Record<string, unknown>;

export abstract class DomainError extends Error {
  abstract readonly reason: DomainErrorReason;
  readonly details: DomainErrorDetails;

  constructor(message: string, details: DomainErrorDetails) {
    super(message);
    this.name = new.target.name;
    this.details = details;
  }
}

/**
 * A class of domain error, readable without an instance: its reason and the zod schema of its
 * details. Services list the classes they throw (e.g. `holdSeatErrors`); the api package derives
 * the OpenAPI document's error responses and the client's error types from those lists.
 */
export interface DomainErrorClass<
  R extends DomainErrorReason = DomainErrorReason,
  D extends z.ZodType<DomainErrorDetails> = z.ZodType<DomainErrorDetails>,
> {
  readonly name: string;
  readonly reason: R;
  readonly details: D;
  readonly prototype: DomainError;
}

/** The error classes a service can throw, each once. */
export type ServiceErrors = readonly DomainErrorClass[];

/** The base of a domain error class whose `details` are typed (and checked) by `details`. */
function domainError<R extends DomainErrorReason, D extends z.ZodType<DomainErrorDetails>>(
  reason: R,
  details: D,
) {
  abstract class TypedDomainError extends DomainError {
    static readonly reason = reason;
    static readonly details = details;
    readonly reason = reason;
    declare readonly details: z.output<D>;
    // Narrows the details a subclass passes to this reason's.
    constructor(message: string, details: z.output<D>) {
      super(message, details);
    }
  }
  return TypedDomainError;
}

const id = z.number().int().positive();
const noDetails = z.strictObject({});
const dateTime = z.string().meta({ format: "date-time" });

const invalidInputDetails = z.strictObject({
  /** The field at fault (one that repeats a seat, a cursor, the Idempotency-Key header). */
  field: z.string().optional(),
  /** The shows of seats that a hold named together. */
  show_ids: z.array(id).optional(),
});

export class InvalidInputError extends domainError("INVALID_INPUT", invalidInputDetails) {
  constructor(message: string, details: z.output<typeof invalidInputDetails> = {}) {
    super(message, details);
  }
}

export class InvalidSeatLabelError extends domainError(
  "INVALID_SEAT_LABEL",
  z.strictObject({ label: z.string() }),
) {
  constructor(label: string, why: string) {
    super(`invalid seat label ${JSON.stringify(label)}: ${why}`, { label });
  }
}

export class NotAuthenticatedError extends domainError("NOT_AUTHENTICATED", noDetails) {
  constructor() {
    super("sign in first: send Authorization: Bearer <access_token>", {});
  }
}

export class InvalidCredentialsError extends domainError("INVALID_CREDENTIALS", noDetails) {
  constructor() {
    super("invalid credentials", {});
  }
}

export class InvalidTokenError extends domainError("INVALID_TOKEN", noDetails) {
  constructor() {
    super("the access token is not valid", {});
  }
}

export class TokenExpiredError extends domainError("TOKEN_EXPIRED", noDetails) {
  constructor() {
    super("the access token has expired: sign in again", {});
  }
}

export class ForbiddenError extends domainError("FORBIDDEN", noDetails) {
  constructor(message: string) {
    super(message, {});
  }
}

export class UserNotFoundError extends domainError("USER_NOT_FOUND", z.strictObject({ user_id: id })) {
  constructor(userId: number) {
    super(`user ${userId} not found`, { user_id: userId });
  }
}

export class ShowNotFoundError extends domainError("SHOW_NOT_FOUND", z.strictObject({ show_id: id })) {
  constructor(showId: number) {
    super(`show ${showId} not found`, { show_id: showId });
  }
}

/** The seats named that do not exist, as they were named. */
export class SeatNotFoundError extends domainError(
  "SEAT_NOT_FOUND",
  z.union([
    z.strictObject({ seat_id: id }),
    z.strictObject({ show_id: id, seat_number: z.string() }),
    z.strictObject({ seat_ids: z.array(id) }),
    z.strictObject({ show_id: id, seat_numbers: z.array(z.string()) }),
  ]),
) {}

export class ReservationNotFoundError extends domainError(
  "RESERVATION_NOT_FOUND",
  z.strictObject({ reservation_id: id }),
) {
  constructor(reservationId: number) {
    super(`reservation ${reservationId} not found`, { reservation_id: reservationId });
  }
}

export class EmailTakenError extends domainError("EMAIL_TAKEN", noDetails) {
  constructor() {
    super("an account with this email already exists", {});
  }
}

export class DuplicateSeatLabelError extends domainError(
  "DUPLICATE_SEAT_LABEL",
  z.strictObject({
    labels: z.array(z.string()),
    repeated: z.array(z.string()),
    existing: z.array(z.string()),
  }),
) {
  /** `all`: every label at fault (repeated in the request, already on the show, or both), in order. */
  constructor(conflicts: { repeated: string[]; existing: string[]; all: string[] }) {
    const parts = [
      conflicts.repeated.length > 0 ? `repeated in the request: ${conflicts.repeated.join(", ")}` : "",
      conflicts.existing.length > 0 ? `already on the show: ${conflicts.existing.join(", ")}` : "",
    ];
    super(`duplicate seat labels, ${parts.filter(Boolean).join("; ")}`, {
      labels: conflicts.all,
      repeated: conflicts.repeated,
      existing: conflicts.existing,
    });
  }
}

/** A seat that cannot be held: until `held_until` (someone's hold), or for good (null: sold). */
export interface TakenSeat {
  seat_id: number;
  seat_number: string;
  held_until: Date | null;
}

const takenSeat = z.strictObject({ seat_id: id, seat_number: z.string(), held_until: dateTime.nullable() });

export class SeatTakenError extends domainError(
  "SEAT_TAKEN",
  takenSeat.extend({ seats: z.array(takenSeat) }),
) {
  /**
   * `details.seats` lists every taken seat; `seat_id`, `seat_number` and `held_until` name the first
   * (all a single-seat hold has). Whose reservation takes a seat is never said.
   */
  constructor(seats: readonly [TakenSeat, ...TakenSeat[]]) {
    const [first] = seats;
    const describe = (seat: TakenSeat) =>
      seat.held_until
        ? `${seat.seat_number} (held until ${seat.held_until.toISOString()})`
        : seat.seat_number;
    super(
      seats.length > 1
        ? `seats ${seats.map(describe).join(", ")} are taken`
        : first.held_until
          ? `seat ${first.seat_number} is held until ${first.held_until.toISOString()}`
          : `seat ${first.seat_number} is taken`,
      {
        seat_id: first.seat_id,
        seat_number: first.seat_number,
        held_until: first.held_until?.toISOString() ?? null,
        seats: seats.map((seat) => ({
          seat_id: seat.seat_id,
          seat_number: seat.seat_number,
          held_until: seat.held_until?.toISOString() ?? null,
        })),
      },
    );
  }
}

export class ShowStartedError extends domainError("SHOW_STARTED", z.strictObject({ show_id: id })) {
  constructor(showId: number) {
    super(`show ${showId} has already started: its seats can no longer be held`, { show_id: showId });
  }
}

export class HoldExpiredError extends domainError(
  "HOLD_EXPIRED",
  z.strictObject({ reservation_id: id, hold_expiry: dateTime, reservation_ids: z.array(id) }),
) {
  /**
   * `details.reservation_ids` lists every lapsed reservation; `reservation_id` and `hold_expiry`
   * name the first (all a single confirm has).
   */
  constructor(expired: readonly [{ id: number; hold_expiry: Date }, ...{ id: number; hold_expiry: Date }[]]) {
    const [first] = expired;
    super(
      expired.length > 1
        ? `the holds on reservations ${expired.map((r) => r.id).join(", ")} have expired`
        : `the hold on reservation ${first.id} expired at ${first.hold_expiry.toISOString()}`,
      {
        reservation_id: first.id,
        hold_expiry: first.hold_expiry.toISOString(),
        reservation_ids: expired.map((r) => r.id),
      },
    );
  }
}

export class InvalidTransitionError extends domainError(
  "INVALID_TRANSITION",
  z.strictObject({
    reservation_id: id,
    status: z.enum(["HELD", "CONFIRMED", "EXPIRED", "CANCELLED"]) satisfies z.ZodType<ReservationStatus>,
  }),
) {
  constructor(reservationId: number, status: ReservationStatus, action: string) {
    super(`reservation ${reservationId} is ${status} and cannot be ${action}`, {
      reservation_id: reservationId,
      status,
    });
  }
}

export class HoldLimitReachedError extends domainError(
  "HOLD_LIMIT_REACHED",
  z.strictObject({ show_id: id, limit: z.number().int().positive() }),
) {
  constructor(showId: number, limit: number) {
    super(`you already hold ${limit} seats of show ${showId}, the most one customer may hold at once`, {
      show_id: showId,
      limit,
    });
  }
}

export class BatchTooLargeError extends domainError(
  "BATCH_TOO_LARGE",
  z.strictObject({ calls: z.number().int(), limit: z.number().int() }),
) {
  constructor(calls: number, limit: number) {
    super(`a request may carry at most ${limit} calls; this one carries ${calls}`, { calls, limit });
  }
}

export class IdempotencyKeyReusedError extends domainError("IDEMPOTENCY_KEY_REUSED", noDetails) {
  constructor() {
    super("this Idempotency-Key was already used for a different request", {});
  }
}

export class IdempotencyKeyInUseError extends domainError("IDEMPOTENCY_KEY_IN_USE", noDetails) {
  constructor() {
    super("a request with this Idempotency-Key is still being processed: retry shortly", {});
  }
}

export class DatabaseUnavailableError extends domainError(
  "DATABASE_UNAVAILABLE",
  z.strictObject({ retry_after: z.number().int().positive() }),
) {
  /** `retryAfterSeconds` is what the Retry-After header of the 503 says. */
  constructor(readonly retryAfterSeconds: number) {
    super("the database is unavailable: retry shortly", { retry_after: retryAfterSeconds });
  }
}

/**
 * A live-feed consumer read so slowly that its buffer filled: it is dropped so that it costs the
 * others nothing, and resumes after `details.last_event_id` (Last-Event-ID) when it reconnects.
 */
export class WatcherTooSlowError extends domainError(
  "WATCHER_TOO_SLOW",
  z.strictObject({ last_event_id: z.number().int().nonnegative(), max_pending: id }),
) {
  constructor(lastEventId: number, maxPending: number) {
    super(
      `this watcher fell more than ${maxPending} changes behind and was dropped; resume after event ${lastEventId}`,
      { last_event_id: lastEventId, max_pending: maxPending },
    );
  }
}
