import { type Kysely, type Selectable, sql } from "kysely";
import type { DB, Reservations } from "../generated/db.js";

export type ReservationRow = Selectable<Reservations>;
export type ReservationStatus = ReservationRow["status"];

// "Now" is always the database's clock. statement_timestamp() rather than now(): inside a
// transaction that waited for a lock, now() would still be the moment the transaction began.
const dbNow = sql<Date>`statement_timestamp()`;

export type SeatRef = { seatId: number } | { showId: number; seatNumber: string };

/** The seat to hold, with whether its show has started by database time. */
export function findSeatForHold(db: Kysely<DB>, ref: SeatRef) {
  let query = db
    .selectFrom("seats")
    .innerJoin("shows", "shows.id", "seats.show_id")
    .select([
      "seats.id as seat_id",
      "seats.show_id",
      "seats.seat_number",
      sql<boolean>`shows.starts_at <= ${dbNow}`.as("show_started"),
    ]);
  query =
    "seatId" in ref
      ? query.where("seats.id", "=", ref.seatId)
      : query.where("seats.show_id", "=", ref.showId).where("seats.seat_number", "=", ref.seatNumber);
  return query.executeTakeFirst();
}

/** Marks the seat's lapsed hold, if any, EXPIRED so that it stops occupying the unique index. */
export function expireLapsedHoldOnSeat(db: Kysely<DB>, seatId: number) {
  return db
    .updateTable("reservations")
    .set({ status: "EXPIRED", updated_at: dbNow })
    .where("seat_id", "=", seatId)
    .where("status", "=", "HELD")
    .where("hold_expiry", "<=", dbNow)
    .executeTakeFirst();
}

/**
 * Inserts a HELD reservation expiring `holdMinutes` after database time. Throws a unique
 * violation on `unique_active_reservation_per_seat` when the seat already has an active one.
 */
export function insertHold(
  db: Kysely<DB>,
  hold: { userId: number; seatId: number; showId: number; holdMinutes: number },
) {
  return db
    .insertInto("reservations")
    .values({
      user_id: hold.userId,
      seat_id: hold.seatId,
      show_id: hold.showId,
      status: "HELD",
      hold_expiry: sql<Date>`${dbNow} + make_interval(mins => ${hold.holdMinutes})`,
      created_at: dbNow,
      updated_at: dbNow,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** Until when the seat's active hold runs; null when the seat is CONFIRMED or free. */
export async function findActiveHoldExpiry(db: Kysely<DB>, seatId: number): Promise<Date | null> {
  const active = await db
    .selectFrom("reservations")
    .select(["status", "hold_expiry"])
    .where("seat_id", "=", seatId)
    .where("status", "in", ["HELD", "CONFIRMED"])
    .executeTakeFirst();
  return active?.status === "HELD" ? active.hold_expiry : null;
}

/** The reservation's row, locked until the transaction ends. */
export function lockReservation(db: Kysely<DB>, id: number) {
  return db.selectFrom("reservations").selectAll().where("id", "=", id).forUpdate().executeTakeFirst();
}

/**
 * Settles a locked HELD reservation against database time read now, after the lock was taken:
 * CONFIRMED while the hold is live, EXPIRED once it has lapsed.
 */
export function settleHeldReservation(db: Kysely<DB>, id: number) {
  return db
    .updateTable("reservations")
    .set({
      status: sql<ReservationStatus>`CASE WHEN hold_expiry > ${dbNow} THEN 'CONFIRMED' ELSE 'EXPIRED' END`,
      updated_at: dbNow,
    })
    .where("id", "=", id)
    .where("status", "=", "HELD")
    .returningAll()
    .executeTakeFirstOrThrow();
}

/**
 * Ends a locked HELD or CONFIRMED reservation: CANCELLED, or EXPIRED for a hold that had
 * already lapsed (it freed the seat at its expiry, not now).
 */
export function endReservation(db: Kysely<DB>, id: number) {
  return db
    .updateTable("reservations")
    .set({
      status: sql<ReservationStatus>`CASE WHEN status = 'HELD' AND hold_expiry <= ${dbNow} THEN 'EXPIRED' ELSE 'CANCELLED' END`,
      updated_at: dbNow,
    })
    .where("id", "=", id)
    .where("status", "in", ["HELD", "CONFIRMED"])
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** A reservation as it stands now: a lapsed hold reads EXPIRED even before anything marks it. */
export function findReservation(db: Kysely<DB>, id: number) {
  return db
    .selectFrom("reservations")
    .select([
      "id",
      "user_id",
      "seat_id",
      "show_id",
      sql<ReservationStatus>`CASE WHEN status = 'HELD' AND hold_expiry <= ${dbNow} THEN 'EXPIRED' ELSE status END`.as(
        "status",
      ),
      "hold_expiry",
      "created_at",
      "updated_at",
    ])
    .where("id", "=", id)
    .executeTakeFirst();
}
