// The ceilings: the statements the server issues for each operation, sent straight through `pg`
// with nothing above them (no HTTP, tRPC, zod, superjson, Kysely or domain code). Kept
// word for word in step with packages/db/src/queries: when the server's SQL changes, change it
// here too, or the ceiling measures something else.
import type pg from "pg";

/** One hold, as `holdSeat` runs it (holdSeatInOneStatement): one statement, one round trip. */
export async function rawHold(pool: pg.Pool, userId: number, seatId: number): Promise<void> {
  const { rows } = await pool.query(
    `WITH seat AS (
      SELECT s.id, s.show_id, sh.starts_at <= statement_timestamp() AS show_started
      FROM seats s JOIN shows sh ON sh.id = s.show_id
      WHERE s.id = $1
    ),
    expired AS (
      UPDATE reservations r SET status = 'EXPIRED', updated_at = statement_timestamp()
      FROM seat
      WHERE NOT seat.show_started AND r.seat_id = seat.id AND r.status = 'HELD' AND r.hold_expiry <= statement_timestamp()
      RETURNING r.id
    ),
    held AS (
      INSERT INTO reservations (user_id, seat_id, show_id, status, hold_expiry, created_at, updated_at)
      SELECT $2, seat.id, seat.show_id, 'HELD',
             statement_timestamp() + make_interval(mins => $3), statement_timestamp(), statement_timestamp()
      FROM seat
      WHERE NOT seat.show_started AND (SELECT count(*) FROM expired) >= 0
      RETURNING *
    )
    SELECT seat.show_id AS seat_show_id, seat.show_started, held.*
    FROM seat LEFT JOIN held ON true`,
    [seatId, userId, 10],
  );
  if (rows[0]?.id == null) throw new Error(`seat ${seatId} could not be held`);
}

/** One confirm, as `confirmReservation` runs it (lockAndSettleHeldReservation): one statement. */
export async function rawConfirm(pool: pg.Pool, reservationId: number, ownerId: number): Promise<void> {
  const { rows } = await pool.query(
    `WITH locked AS (
      SELECT * FROM reservations WHERE id = $1 FOR UPDATE
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
        AND ($2::integer IS NULL OR locked.user_id = $3)
      RETURNING r.id, r.status, r.updated_at
    )
    SELECT locked.id, locked.user_id, locked.seat_id, locked.show_id,
           coalesce(settled.status, locked.status) AS status, locked.hold_expiry, locked.created_at,
           coalesce(settled.updated_at, locked.updated_at) AS updated_at
    FROM locked LEFT JOIN settled ON settled.id = locked.id`,
    [reservationId, ownerId, ownerId],
  );
  if (rows[0]?.status !== "CONFIRMED") throw new Error(`reservation ${reservationId} was not confirmed`);
}

/** The availability snapshot's one statement; returns the number of seats. */
export async function rawAvailability(pool: pg.Pool, showId: number): Promise<number> {
  const { rows } = await pool.query(
    `SELECT CASE WHEN row_number() OVER () = 1 THEN t.as_of END AS as_of, s.id AS seat_id, s.seat_number,
           CASE WHEN r.status = 'CONFIRMED' THEN 'CONFIRMED'
                WHEN r.status = 'HELD' AND r.hold_expiry > t.as_of THEN 'HELD'
                ELSE 'AVAILABLE' END AS status,
           CASE WHEN r.status = 'HELD' AND r.hold_expiry > t.as_of THEN r.hold_expiry END AS hold_expiry
    FROM (SELECT statement_timestamp() AS as_of) t
    JOIN shows sh ON sh.id = $1
    LEFT JOIN seats s ON s.show_id = sh.id
    LEFT JOIN reservations r ON r.seat_id = s.id AND r.status IN ('HELD', 'CONFIRMED')
    ORDER BY s.sort_key, s.seat_number COLLATE "C"`,
    [showId],
  );
  return rows.length;
}

/** One chunk of new seats in one statement, as `insertSeats` writes them; returns their ids. */
export async function rawInsertSeats(
  pool: pg.Pool,
  showId: number,
  labels: readonly string[],
  sortKeys: readonly string[],
): Promise<number[]> {
  const { rows } = await pool.query<{ id: number }>(
    `INSERT INTO seats (show_id, seat_number, sort_key)
    SELECT $1, n.seat_number, n.sort_key
    FROM unnest($2::text[], $3::text[]) AS n(seat_number, sort_key)
    RETURNING id, show_id, seat_number, sort_key`,
    [showId, labels, sortKeys],
  );
  return rows.map((r) => r.id);
}
