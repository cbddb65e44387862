import { type Kysely, type Selectable, sql } from "kysely";
import type { DB, Reservations } from "../generated/db.js";

export type ReservationRow = Selectable<Reservations>;
export type ReservationStatus = ReservationRow["status"];

// "Now" is always the database's clock. statement_timestamp() rather than now(): inside a
// transaction that waited for a lock, now() would still be the moment the transaction began.
const dbNow = sql<Date>`statement_timestamp()`;

export type SeatRef = { seatId: number } | { showId: number; seatNumber: string };

export type HoldOutcome =
  | { kind: "held"; reservation: ReservationRow }
  | { kind: "seat_not_found" }
  | { kind: "show_started"; showId: number };

const seatCondition = (ref: SeatRef) =>
  "seatId" in ref
    ? sql`s.id = ${ref.seatId}`
    : sql`s.show_id = ${ref.showId} AND s.seat_number = ${ref.seatNumber}`;

/**
 * A hold in one statement (one round trip, atomic on its own): find the seat and whether its show
 * has started, mark the seat's lapsed hold EXPIRED, then insert the new hold expiring
 * `holdMinutes` after database time. The insert reads the count of `expired`, so it runs after
 * that update, whose old row version then no longer occupies the unique index. Throws a unique
 * violation on `unique_active_reservation_per_seat` when the seat has an active reservation, and
 * then nothing is written (the update of a lapsed hold is undone with the statement).
 */
export function holdStatement(hold: { seat: SeatRef; userId: number; holdMinutes: number }) {
  return sql<ReservationRow & { seat_show_id: number; show_started: boolean }>`
    WITH seat AS (
      SELECT s.id, s.show_id, sh.starts_at <= ${dbNow} AS show_started
      FROM seats s JOIN shows sh ON sh.id = s.show_id
      WHERE ${seatCondition(hold.seat)}
    ),
    expired AS (
      UPDATE reservations r SET status = 'EXPIRED', updated_at = ${dbNow}
      FROM seat
      WHERE NOT seat.show_started AND r.seat_id = seat.id AND r.status = 'HELD' AND r.hold_expiry <= ${dbNow}
      RETURNING r.id
    ),
    held AS (
      INSERT INTO reservations (user_id, seat_id, show_id, status, hold_expiry, created_at, updated_at)
      SELECT ${hold.userId}, seat.id, seat.show_id, 'HELD',
             ${dbNow} + make_interval(mins => ${hold.holdMinutes}), ${dbNow}, ${dbNow}
      FROM seat
      WHERE NOT seat.show_started AND (SELECT count(*) FROM expired) >= 0
      RETURNING *
    )
    SELECT seat.show_id AS seat_show_id, seat.show_started, held.*
    FROM seat LEFT JOIN held ON true
  `;
}

/** Runs `holdStatement`: held, or why not (a taken seat throws the unique violation). */
export async function holdSeatInOneStatement(
  db: Kysely<DB>,
  hold: { seat: SeatRef; userId: number; holdMinutes: number },
): Promise<HoldOutcome> {
  const { rows } = await holdStatement(hold).execute(db);
  const row = rows[0];
  if (!row) return { kind: "seat_not_found" };
  if (row.show_started) return { kind: "show_started", showId: row.seat_show_id };
  if (row.id === null) throw new Error("the hold statement found the seat but inserted nothing");
  const { seat_show_id: _, show_started: __, ...reservation } = row;
  return { kind: "held", reservation };
}

/** The seat and, if it has one, its active reservation: what a SEAT_TAKEN error reports. */
export function findSeatWithActiveReservation(db: Kysely<DB>, ref: SeatRef) {
  return sql<{
    seat_id: number;
    seat_number: string;
    status: ReservationStatus | null;
    hold_expiry: Date | null;
  }>`
    SELECT s.id AS seat_id, s.seat_number, r.status, r.hold_expiry
    FROM seats s
    LEFT JOIN reservations r ON r.seat_id = s.id AND r.status IN ('HELD', 'CONFIRMED')
    WHERE ${seatCondition(ref)}
  `
    .execute(db)
    .then(({ rows }) => rows[0]);
}

/** The reservation's row, locked until the transaction ends. */
export function lockReservation(db: Kysely<DB>, id: number) {
  return db.selectFrom("reservations").selectAll().where("id", "=", id).forUpdate().executeTakeFirst();
}

/**
 * A confirm in one statement (one round trip, atomic on its own). Locks the reservation; reads
 * database time after the lock is held (clock_timestamp() in a CTE fed by the locked row, so it
 * cannot be taken while waiting, unlike statement_timestamp()); then, if it is HELD and
 * `settleIfOwnedBy` is its owner (null: anyone's, for an admin), settles it: CONFIRMED while the
 * hold is live, EXPIRED once it has lapsed. Returns the row as it stands after the statement
 * (unchanged when it was not settled), or undefined when there is no such reservation.
 */
export function confirmStatement(id: number, settleIfOwnedBy: number | null) {
  return sql<ReservationRow>`
    WITH locked AS (
      SELECT * FROM reservations WHERE id = ${id} FOR UPDATE
    ),
    after_lock AS (
      SELECT locked.id, clock_timestamp() AS now FROM locked
    ),
    settled AS (
      UPDATE reservations r
      SET status = CASE WHEN locked.hold_expiry > after_lock.now THEN 'CONFIRMED' ELSE 'EXPIRED' END,
          updated_at = after_lock.now
      FROM locked JOIN after_lock ON after_lock.id = locked.id
      WHERE r.id = locked.id AND locked.status = 'HELD'
        AND (${settleIfOwnedBy}::integer IS NULL OR locked.user_id = ${settleIfOwnedBy})
      RETURNING r.id, r.status, r.updated_at
    )
    SELECT locked.id, locked.user_id, locked.seat_id, locked.show_id,
           coalesce(settled.status, locked.status) AS status, locked.hold_expiry, locked.created_at,
           coalesce(settled.updated_at, locked.updated_at) AS updated_at
    FROM locked LEFT JOIN settled ON settled.id = locked.id
  `;
}

/** Runs `confirmStatement`. */
export async function lockAndSettleHeldReservation(
  db: Kysely<DB>,
  id: number,
  settleIfOwnedBy: number | null,
): Promise<ReservationRow | undefined> {
  const { rows } = await confirmStatement(id, settleIfOwnedBy).execute(db);
  return rows[0];
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
