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

  constructor(message: string, details: DomainErrorDetails = {}) {
    super(message);
    this.name = new.target.name;
    this.details = details;
  }
}

export class InvalidInputError extends DomainError {
  readonly reason = "INVALID_INPUT";
}

export class InvalidSeatLabelError extends DomainError {
  readonly reason = "INVALID_SEAT_LABEL";
  constructor(label: string, why: string) {
    super(`invalid seat label ${JSON.stringify(label)}: ${why}`, { label });
  }
}

export class NotAuthenticatedError extends DomainError {
  readonly reason = "NOT_AUTHENTICATED";
  constructor() {
    super("sign in first: send Authorization: Bearer <access_token>");
  }
}

export class InvalidCredentialsError extends DomainError {
  readonly reason = "INVALID_CREDENTIALS";
  constructor() {
    super("invalid credentials");
  }
}

export class InvalidTokenError extends DomainError {
  readonly reason = "INVALID_TOKEN";
  constructor() {
    super("the access token is not valid");
  }
}

export class TokenExpiredError extends DomainError {
  readonly reason = "TOKEN_EXPIRED";
  constructor() {
    super("the access token has expired: sign in again");
  }
}

export class ForbiddenError extends DomainError {
  readonly reason = "FORBIDDEN";
}

export class UserNotFoundError extends DomainError {
  readonly reason = "USER_NOT_FOUND";
  constructor(userId: number) {
    super(`user ${userId} not found`, { user_id: userId });
  }
}

export class ShowNotFoundError extends DomainError {
  readonly reason = "SHOW_NOT_FOUND";
  constructor(showId: number) {
    super(`show ${showId} not found`, { show_id: showId });
  }
}

export class SeatNotFoundError extends DomainError {
  readonly reason = "SEAT_NOT_FOUND";
}

export class ReservationNotFoundError extends DomainError {
  readonly reason = "RESERVATION_NOT_FOUND";
  constructor(reservationId: number) {
    super(`reservation ${reservationId} not found`, { reservation_id: reservationId });
  }
}

export class EmailTakenError extends DomainError {
  readonly reason = "EMAIL_TAKEN";
  constructor() {
    super("an account with this email already exists");
  }
}

export class DuplicateSeatLabelError extends DomainError {
  readonly reason = "DUPLICATE_SEAT_LABEL";
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

export class SeatTakenError extends DomainError {
  readonly reason = "SEAT_TAKEN";
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

export class ShowStartedError extends DomainError {
  readonly reason = "SHOW_STARTED";
  constructor(showId: number) {
    super(`show ${showId} has already started: its seats can no longer be held`, { show_id: showId });
  }
}

export class HoldExpiredError extends DomainError {
  readonly reason = "HOLD_EXPIRED";
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

export class InvalidTransitionError extends DomainError {
  readonly reason = "INVALID_TRANSITION";
  constructor(reservationId: number, status: string, action: string) {
    super(`reservation ${reservationId} is ${status} and cannot be ${action}`, {
      reservation_id: reservationId,
      status,
    });
  }
}

export class HoldLimitReachedError extends DomainError {
  readonly reason = "HOLD_LIMIT_REACHED";
  constructor(showId: number, limit: number) {
    super(`you already hold ${limit} seats of show ${showId}, the most one customer may hold at once`, {
      show_id: showId,
      limit,
    });
  }
}

export class BatchTooLargeError extends DomainError {
  readonly reason = "BATCH_TOO_LARGE";
  constructor(calls: number, limit: number) {
    super(`a request may carry at most ${limit} calls; this one carries ${calls}`, { calls, limit });
  }
}

export class IdempotencyKeyReusedError extends DomainError {
  readonly reason = "IDEMPOTENCY_KEY_REUSED";
  constructor() {
    super("this Idempotency-Key was already used for a different request");
  }
}

export class IdempotencyKeyInUseError extends DomainError {
  readonly reason = "IDEMPOTENCY_KEY_IN_USE";
  constructor() {
    super("a request with this Idempotency-Key is still being processed: retry shortly");
  }
}

export class DatabaseUnavailableError extends DomainError {
  readonly reason = "DATABASE_UNAVAILABLE";
  /** `retryAfterSeconds` is what the Retry-After header of the 503 says. */
  constructor(readonly retryAfterSeconds: number) {
    super("the database is unavailable: retry shortly", { retry_after: retryAfterSeconds });
  }
}

/**
 * A live-feed consumer read so slowly that its buffer filled: it is dropped so that it costs the
 * others nothing, and resumes after `details.last_event_id` (Last-Event-ID) when it reconnects.
 */
export class WatcherTooSlowError extends DomainError {
  readonly reason = "WATCHER_TOO_SLOW";
  constructor(lastEventId: number, maxPending: number) {
    super(
      `this watcher fell more than ${maxPending} changes behind and was dropped; resume after event ${lastEventId}`,
      { last_event_id: lastEventId, max_pending: maxPending },
    );
  }
}
