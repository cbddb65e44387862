import {
  type Database,
  endReservation,
  findReservation,
  findSeatWithActiveReservation,
  type HoldOutcome,
  holdSeatInOneStatement,
  inTransaction,
  isForeignKeyViolation,
  isUniqueViolation,
  lockAndSettleHeldReservation,
  lockReservation,
  type SeatRef,
} from "@eventforge/db";
import {
  ForbiddenError,
  HoldExpiredError,
  InvalidInputError,
  InvalidTransitionError,
  ReservationNotFoundError,
  SeatNotFoundError,
  SeatTakenError,
  ShowStartedError,
  UserNotFoundError,
} from "./errors.js";
import { normalizeSeatLabel } from "./seat-labels.js";
import { type Actor, isAdmin, type Reservation } from "./types.js";

export const HOLD_MINUTES = { min: 1, max: 20, default: 10 } as const;

export type SeatSelector = { seat_id: number } | { show_id: number; seat_number: string };

export interface HoldSeatInput {
  seat: SeatSelector;
  /** Whose hold it is; defaults to the actor. Only an admin may name someone else. */
  user_id?: number | undefined;
  hold_minutes?: number | undefined;
}

/**
 * Puts a time-boxed hold on a free seat. One statement, atomic on its own (see
 * holdSeatInOneStatement): mark the seat's lapsed hold EXPIRED, then insert the new hold. The
 * partial unique index decides races: of concurrent holds on one seat exactly one inserts, every
 * other gets SeatTakenError.
 */
export async function holdSeat(db: Database, input: HoldSeatInput, actor: Actor): Promise<Reservation> {
  const userId = input.user_id ?? actor.userId;
  if (userId !== actor.userId && !isAdmin(actor)) {
    throw new ForbiddenError("only an admin may hold a seat for another user");
  }
  const holdMinutes = input.hold_minutes ?? HOLD_MINUTES.default;
  if (!Number.isInteger(holdMinutes) || holdMinutes < HOLD_MINUTES.min || holdMinutes > HOLD_MINUTES.max) {
    throw new InvalidInputError(
      `hold_minutes must be a whole number from ${HOLD_MINUTES.min} to ${HOLD_MINUTES.max}`,
    );
  }
  const ref: SeatRef =
    "seat_id" in input.seat
      ? { seatId: input.seat.seat_id }
      : { showId: input.seat.show_id, seatNumber: normalizeSeatLabel(input.seat.seat_number) };

  let outcome: HoldOutcome;
  try {
    outcome = await holdSeatInOneStatement(db, { seat: ref, userId, holdMinutes });
  } catch (error) {
    if (isUniqueViolation(error, "unique_active_reservation_per_seat")) {
      // The loser's path only: one more read to say which seat, and until when it is held.
      const taken = await findSeatWithActiveReservation(db, ref);
      if (!taken) throw new SeatNotFoundError("seat not found", { ...input.seat });
      const { seat_id, seat_number } = taken;
      throw new SeatTakenError({ seat_id, seat_number }, taken.status === "HELD" ? taken.hold_expiry : null);
    }
    if (isForeignKeyViolation(error, "reservations_user_id_fkey")) throw new UserNotFoundError(userId);
    throw error;
  }
  switch (outcome.kind) {
    case "seat_not_found":
      throw new SeatNotFoundError("seat not found", { ...input.seat });
    case "show_started":
      throw new ShowStartedError(outcome.showId);
    case "held":
      return outcome.reservation;
  }
}

/**
 * Buys a held seat, in one statement (lockAndSettleHeldReservation): the reservation is locked,
 * then hold_expiry is compared with database time read after the lock: a live hold becomes
 * CONFIRMED; a lapsed one becomes EXPIRED (committed) and the call fails with HoldExpiredError.
 * Confirming a CONFIRMED reservation returns it unchanged. Someone else's reservation is locked
 * but never changed, and is "not found".
 */
export async function confirmReservation(
  db: Database,
  input: { reservation_id: number },
  actor: Actor,
): Promise<Reservation> {
  const settleIfOwnedBy = isAdmin(actor) ? null : actor.userId;
  const row = await lockAndSettleHeldReservation(db, input.reservation_id, settleIfOwnedBy);
  const current = assertVisibleTo(row, input.reservation_id, actor);
  switch (current.status) {
    case "CONFIRMED":
      return current;
    case "EXPIRED":
      throw new HoldExpiredError(current.id, current.hold_expiry);
    case "CANCELLED":
      throw new InvalidTransitionError(current.id, current.status, "confirmed");
    case "HELD":
      // A visible HELD reservation is always settled by the statement.
      throw new Error(`reservation ${current.id} was not settled`);
  }
}

/**
 * Gives a seat back. HELD → CANCELLED (EXPIRED if the hold had already lapsed); CANCELLED and
 * EXPIRED are returned unchanged. A CONFIRMED booking can be cancelled by an admin only.
 */
export async function releaseReservation(
  db: Database,
  input: { reservation_id: number },
  actor: Actor,
): Promise<Reservation> {
  return inTransaction(db, async (tx) => {
    const current = await lockOwnReservation(tx, input.reservation_id, actor);
    switch (current.status) {
      case "CANCELLED":
      case "EXPIRED":
        return current;
      case "CONFIRMED":
        if (!isAdmin(actor)) throw new InvalidTransitionError(current.id, current.status, "released");
        return endReservation(tx, current.id);
      case "HELD":
        return endReservation(tx, current.id);
    }
  });
}

/** A reservation as it stands now (a lapsed hold reads EXPIRED). Owner or admin only. */
export async function getReservation(
  db: Database,
  input: { reservation_id: number },
  actor: Actor,
): Promise<Reservation> {
  const reservation = await findReservation(db, input.reservation_id);
  return assertVisibleTo(reservation, input.reservation_id, actor);
}

async function lockOwnReservation(db: Database, reservationId: number, actor: Actor) {
  return assertVisibleTo(await lockReservation(db, reservationId), reservationId, actor);
}

// Someone else's reservation is "not found": a 403 would confirm that the id exists.
function assertVisibleTo<R extends { user_id: number }>(
  reservation: R | undefined,
  reservationId: number,
  actor: Actor,
): R {
  if (!reservation || (reservation.user_id !== actor.userId && !isAdmin(actor))) {
    throw new ReservationNotFoundError(reservationId);
  }
  return reservation;
}
