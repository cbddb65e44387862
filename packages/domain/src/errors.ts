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
  | "DATABASE_UNAVAILABLE";

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

export class SeatTakenError extends DomainError {
  readonly reason = "SEAT_TAKEN";
  constructor(seat: { seat_id: number; seat_number: string }, heldUntil: Date | null) {
    super(
      heldUntil
        ? `seat ${seat.seat_number} is held until ${heldUntil.toISOString()}`
        : `seat ${seat.seat_number} is taken`,
      { ...seat, held_until: heldUntil?.toISOString() ?? null },
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
  constructor(reservationId: number, holdExpiry: Date) {
    super(`the hold on reservation ${reservationId} expired at ${holdExpiry.toISOString()}`, {
      reservation_id: reservationId,
      hold_expiry: holdExpiry.toISOString(),
    });
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
