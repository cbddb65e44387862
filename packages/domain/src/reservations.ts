import {
  asRecoverableStatement,
  type Database,
  endReservation,
  expireLapsedHoldsBatch,
  findReservation,
  type HoldRequest,
  type HoldStatementRow,
  holdSeatsInOneStatement,
  inTransaction,
  isDeadlock,
  isForeignKeyViolation,
  isUniqueViolation,
  lockAndSettleHeldReservation,
  lockAndSettleHeldReservations,
  lockReservation,
  type ReservationEventRow,
  type SeatsRef,
  selectReservationHistory,
  selectReservationsPage,
} from "@eventforge/db";
import { inBoundedBatches } from "./batches.js";
import {
  ForbiddenError,
  HoldExpiredError,
  HoldLimitReachedError,
  InvalidInputError,
  InvalidSeatLabelError,
  InvalidTransitionError,
  ReservationNotFoundError,
  SeatNotFoundError,
  SeatTakenError,
  type ServiceErrors,
  ShowStartedError,
  type TakenSeat,
  UserNotFoundError,
} from "./errors.js";
import { holdMinutesOf } from "./hold-minutes.js";
import { normalizeSeatLabel } from "./seat-labels.js";
import { MAX_SEATS_PER_HOLD } from "./shared-rules.js";
import { type Actor, isAdmin, type Reservation, type ReservationStatus } from "./types.js";

export type SeatSelector = { seat_id: number } | { show_id: number; seat_number: string };

/** The rules of holding that come from the server's settings. */
export interface HoldPolicy {
  /** Active holds one user may have on one show (docs/design.md); 0 = no cap. */
  maxHoldsPerShow: number;
}

export interface HoldSeatInput {
  seat: SeatSelector;
  /** Whose hold it is; defaults to the actor. Only an admin may name someone else. */
  user_id?: number | undefined;
  hold_minutes?: number | undefined;
}

/** 1–10 distinct seats of one show, by label or by id. */
export type SeatsSelector =
  | { show_id: number; seat_numbers: readonly string[] }
  | { seat_ids: readonly number[] };

export interface HoldSeatsInput {
  seats: SeatsSelector;
  user_id?: number | undefined;
  hold_minutes?: number | undefined;
}

/**
 * What holdSeat and holdSeats can throw (both are hold()): their reasons and details in the
 * OpenAPI document and the client.
 */
const holdErrors = [
  ForbiddenError,
  InvalidInputError,
  InvalidSeatLabelError,
  UserNotFoundError,
  SeatNotFoundError,
  ShowStartedError,
  SeatTakenError,
  HoldLimitReachedError,
] as const satisfies ServiceErrors;
export const holdSeatErrors = holdErrors;
export const holdSeatsErrors = holdErrors;

/**
 * Puts a time-boxed hold on a free seat: one statement (see holdStatement) that marks the seat's
 * lapsed hold EXPIRED and inserts the new hold, within the cap. Of concurrent holds on one seat
 * exactly one inserts; every other gets SeatTakenError. Holding a seat the user already holds
 * returns that hold unchanged.
 */
export async function holdSeat(
  db: Database,
  input: HoldSeatInput,
  actor: Actor,
  policy: HoldPolicy,
): Promise<Reservation> {
  const seats: SeatsRef =
    "seat_id" in input.seat
      ? { seatIds: [input.seat.seat_id] }
      : { showId: input.seat.show_id, seatNumbers: [normalizeSeatLabel(input.seat.seat_number)] };
  const [reservation] = await hold(db, seats, input, actor, policy, () => {
    throw new SeatNotFoundError("seat not found", { ...input.seat });
  });
  if (!reservation) throw new Error("a hold of one seat returned no reservation");
  const { seat_number: _, ...held } = reservation;
  return held;
}

/**
 * Holds 1–10 seats of one show together, all or nothing, in one statement: if any is taken, none
 * is held and SeatTakenError lists every taken seat; seats the user already holds are returned
 * unchanged; every new hold shares one expiry; each counts towards the cap. The inserts take their
 * locks in seat-id order, so overlapping multi-seat holds never deadlock. Returns the reservations
 * in the order the seats were named.
 */
export async function holdSeats(
  db: Database,
  input: HoldSeatsInput,
  actor: Actor,
  policy: HoldPolicy,
): Promise<{ reservations: Reservation[] }> {
  const seats: SeatsRef =
    "seat_ids" in input.seats
      ? { seatIds: distinct(input.seats.seat_ids, "seat_ids") }
      : {
          showId: input.seats.show_id,
          seatNumbers: distinct(input.seats.seat_numbers.map(normalizeSeatLabel), "seat_numbers"),
        };
  const reservations = await hold(db, seats, input, actor, policy, (found) => {
    const missing =
      "seatIds" in seats
        ? { seat_ids: seats.seatIds.filter((id) => !found.some((row) => row.seat_id === id)) }
        : {
            show_id: seats.showId,
            seat_numbers: seats.seatNumbers.filter(
              (label) => !found.some((row) => row.seat_number === label),
            ),
          };
    throw new SeatNotFoundError("seats not found", missing);
  });
  const order = "seatIds" in seats ? seats.seatIds : seats.seatNumbers;
  const position = (r: Reservation & { seat_number: string }) =>
    order.indexOf("seatIds" in seats ? (r.seat_id as never) : (r.seat_number as never));
  return {
    reservations: reservations
      .sort((a, b) => position(a) - position(b))
      .map(({ seat_number: _, ...reservation }) => reservation),
  };
}

/** A hold statement's lost races (a concurrent hold it could not see) are run again this often. */
const HOLD_ATTEMPTS = 8;

async function hold(
  db: Database,
  seats: SeatsRef,
  input: { user_id?: number | undefined; hold_minutes?: number | undefined },
  actor: Actor,
  policy: HoldPolicy,
  seatsNotFound: (found: HoldStatementRow[]) => never,
): Promise<(Reservation & { seat_number: string })[]> {
  const userId = input.user_id ?? actor.userId;
  if (userId !== actor.userId && !isAdmin(actor)) {
    throw new ForbiddenError("only an admin may hold a seat for another user");
  }
  const holdMinutes = holdMinutesOf(input.hold_minutes);
  const count = "seatIds" in seats ? seats.seatIds.length : seats.seatNumbers.length;
  if (count < 1 || count > MAX_SEATS_PER_HOLD) {
    throw new InvalidInputError(`hold 1 to ${MAX_SEATS_PER_HOLD} seats at once`);
  }
  const request: HoldRequest = {
    seats,
    userId,
    actorUserId: actor.userId,
    holdMinutes,
    maxHoldsPerShow: policy.maxHoldsPerShow,
  };
  const rows = await runHoldStatement(db, request);

  if (rows.length < count) seatsNotFound(rows);
  const first = rows[0] as HoldStatementRow;
  if (rows.some((row) => row.seat_show_id !== first.seat_show_id)) {
    throw new InvalidInputError("the seats of one hold must all belong to one show", {
      show_ids: [...new Set(rows.map((row) => row.seat_show_id))],
    });
  }
  if (first.show_started) throw new ShowStartedError(first.seat_show_id);
  const taken: TakenSeat[] = rows
    .filter((row) => row.taken)
    .map((row) => ({ seat_id: row.seat_id, seat_number: row.seat_number, held_until: row.taken_until }));
  const [firstTaken, ...moreTaken] = taken;
  if (firstTaken) throw new SeatTakenError([firstTaken, ...moreTaken]);
  if (!first.within_cap) throw new HoldLimitReachedError(first.seat_show_id, policy.maxHoldsPerShow);
  return rows.map((row) => {
    const { id, user_id, show_id, status, hold_expiry, created_at, updated_at } = row;
    if (id === null || user_id === null || show_id === null || status === null) {
      throw new Error(`the hold statement neither held seat ${row.seat_id} nor said why`);
    }
    return {
      id,
      user_id,
      seat_id: row.seat_id,
      show_id,
      status,
      hold_expiry: hold_expiry as Date,
      created_at: created_at as Date,
      updated_at: updated_at as Date,
      seat_number: row.seat_number,
    };
  });
}

/**
 * Runs the hold statement until it is not beaten by a concurrent one it could not see: a unique
 * violation means that one has committed, so the next run sees it (and reports the seat taken,
 * the user's own hold, or the cap reached), or finds another free slot. Each run is recoverable,
 * so a lost race leaves a caller's transaction usable.
 */
async function runHoldStatement(db: Database, request: HoldRequest): Promise<HoldStatementRow[]> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await asRecoverableStatement(db, (run) => holdSeatsInOneStatement(run, request));
    } catch (error) {
      if (isForeignKeyViolation(error, "reservations_user_id_fkey"))
        throw new UserNotFoundError(request.userId);
      const lostRace =
        isUniqueViolation(error, "unique_active_reservation_per_seat") ||
        isUniqueViolation(error, "reservations_hold_slot_per_user_show") ||
        isDeadlock(error);
      if (!lostRace || attempt >= HOLD_ATTEMPTS) throw error;
    }
  }
}

function distinct<T>(values: readonly T[], field: string): T[] {
  if (new Set(values).size !== values.length) {
    throw new InvalidInputError(`${field} must not repeat a seat`, { field });
  }
  return [...values];
}

/** What confirmReservation can throw: its reasons and their details in the OpenAPI document and the client. */
export const confirmReservationErrors = [
  ReservationNotFoundError,
  HoldExpiredError,
  InvalidTransitionError,
] as const satisfies ServiceErrors;

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
  const row = await lockAndSettleHeldReservation(db, input.reservation_id, settleIfOwnedBy, actor.userId);
  const current = assertVisibleTo(row, input.reservation_id, actor);
  switch (current.status) {
    case "CONFIRMED":
      return current;
    case "EXPIRED":
      throw new HoldExpiredError([current]);
    case "CANCELLED":
      throw new InvalidTransitionError(current.id, current.status, "confirmed");
    case "HELD":
      // A visible HELD reservation is always settled by the statement.
      throw new Error(`reservation ${current.id} was not settled`);
  }
}

/** What confirmReservations can throw: its reasons and their details in the OpenAPI document and the client. */
export const confirmReservationsErrors = [
  InvalidInputError,
  ReservationNotFoundError,
  HoldExpiredError,
  InvalidTransitionError,
] as const satisfies ServiceErrors;

/**
 * Confirms 1–10 reservations all or nothing, in one statement (lockAndSettleHeldReservations):
 * every one must be the caller's (or the caller an admin) and a live hold or already CONFIRMED.
 * If any has lapsed, those become EXPIRED (committed), none is confirmed, and HoldExpiredError
 * names them. Returns the reservations in the order they were named.
 */
export async function confirmReservations(
  db: Database,
  input: { reservation_ids: readonly number[] },
  actor: Actor,
): Promise<{ reservations: Reservation[] }> {
  const ids = distinct(input.reservation_ids, "reservation_ids");
  if (ids.length < 1 || ids.length > MAX_SEATS_PER_HOLD) {
    throw new InvalidInputError(`confirm 1 to ${MAX_SEATS_PER_HOLD} reservations at once`);
  }
  const settleIfOwnedBy = isAdmin(actor) ? null : actor.userId;
  const rows = await lockAndSettleHeldReservations(db, ids, settleIfOwnedBy, actor.userId);
  const byId = new Map(
    rows.map(({ visible, lapsed, ...reservation }) => [reservation.id, { visible, reservation }]),
  );
  for (const id of ids) {
    const found = byId.get(id);
    if (!found?.visible) throw new ReservationNotFoundError(id);
  }
  const [expired, ...moreExpired] = rows.filter((row) => row.status === "EXPIRED");
  if (expired) throw new HoldExpiredError([expired, ...moreExpired]);
  const cancelled = rows.find((row) => row.status === "CANCELLED");
  if (cancelled) throw new InvalidTransitionError(cancelled.id, cancelled.status, "confirmed");
  const reservations = ids.map((id) => byId.get(id)?.reservation as Reservation);
  if (reservations.some((r) => r.status !== "CONFIRMED")) {
    throw new Error(`reservations ${ids.join(", ")} were not all settled`);
  }
  return { reservations };
}

/** What releaseReservation can throw: its reasons and their details in the OpenAPI document and the client. */
export const releaseReservationErrors = [
  ReservationNotFoundError,
  InvalidTransitionError,
] as const satisfies ServiceErrors;

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
        return endReservation(tx, current.id, actor.userId);
      case "HELD":
        return endReservation(tx, current.id, actor.userId);
    }
  });
}

/** What getReservation can throw: its reasons and their details in the OpenAPI document and the client. */
export const getReservationErrors = [ReservationNotFoundError] as const satisfies ServiceErrors;

/** A reservation as it stands now (a lapsed hold reads EXPIRED). Owner or admin only. */
export async function getReservation(
  db: Database,
  input: { reservation_id: number },
  actor: Actor,
): Promise<Reservation> {
  const reservation = await findReservation(db, input.reservation_id);
  return assertVisibleTo(reservation, input.reservation_id, actor);
}

/** What listReservations can throw: its reasons and their details in the OpenAPI document and the client. */
export const listReservationsErrors = [ForbiddenError, InvalidInputError] as const satisfies ServiceErrors;

/** Reservations per page of `listReservations`. */
export const RESERVATION_PAGE = { max: 100, default: 20 } as const;

export interface ListReservationsInput {
  /** As each stands now: a lapsed hold is EXPIRED. */
  status?: ReservationStatus | undefined;
  show_id?: number | undefined;
  /** Whose reservations; defaults to the actor. Only an admin may name someone else. */
  user_id?: number | undefined;
  limit?: number | undefined;
  /** `next_cursor` of the previous page. */
  cursor?: number | undefined;
}

/**
 * A user's reservations, newest first, one page at a time: pass a page's `next_cursor` as
 * `cursor` for the next (null: the last page). Yours, unless you are an admin naming `user_id`.
 */
export async function listReservations(
  db: Database,
  input: ListReservationsInput,
  actor: Actor,
): Promise<{ items: Reservation[]; next_cursor: number | null }> {
  const userId = input.user_id ?? actor.userId;
  if (userId !== actor.userId && !isAdmin(actor)) {
    throw new ForbiddenError("only an admin may list another user's reservations");
  }
  const limit = input.limit ?? RESERVATION_PAGE.default;
  if (!Number.isInteger(limit) || limit < 1 || limit > RESERVATION_PAGE.max) {
    throw new InvalidInputError(`limit must be a whole number from 1 to ${RESERVATION_PAGE.max}`);
  }
  const rows = await selectReservationsPage(db, {
    userId,
    status: input.status,
    showId: input.show_id,
    limit,
    cursor: input.cursor,
  });
  const items = rows.slice(0, limit);
  const last = items[items.length - 1];
  return { items, next_cursor: rows.length > limit && last ? last.id : null };
}

export type ReservationEvent = ReservationEventRow;

/** What getReservationHistory can throw: its reasons and their details in the OpenAPI document and the client. */
export const getReservationHistoryErrors = [ReservationNotFoundError] as const satisfies ServiceErrors;

/**
 * Every transition of a reservation, oldest first: its creation (HELD), then each change, with
 * who made it (null: the system, e.g. an expiry). Owner or admin only.
 */
export async function getReservationHistory(
  db: Database,
  input: { reservation_id: number },
  actor: Actor,
): Promise<{ events: ReservationEvent[] }> {
  const history = await selectReservationHistory(db, input.reservation_id);
  const owned = history && { user_id: history.userId, events: history.events };
  return { events: assertVisibleTo(owned, input.reservation_id, actor).events };
}

/**
 * The expiry sweeper's work (docs/design.md): marks every lapsed hold EXPIRED, in batches of at most
 * `batchSize` holds of one show, each batch one statement that skips rows others have locked (so
 * several instances share the work and never expire one hold twice). Stops after `maxBatches`,
 * so one sweep stays bounded while holds lapse faster than it runs. Returns how many it expired.
 */
export async function expireLapsedHolds(
  db: Database,
  options: { batchSize: number; maxBatches?: number },
): Promise<number> {
  // A batch holds one show's lapsed holds, so a short one does not mean none are left elsewhere.
  return inBoundedBatches(() => expireLapsedHoldsBatch(db, options.batchSize), {
    ...options,
    isLast: (expired) => expired === 0,
  });
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
