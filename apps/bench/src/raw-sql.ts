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

/** One confirm, as `confirmReservation` runs it: lock, settle against database time, commit. */
export async function rawConfirm(pool: pg.Pool, reservationId: number): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query("begin");
    const locked = await client.query(`select * from "reservations" where "id" = $1 for update`, [
      reservationId,
    ]);
    if (locked.rows[0]?.status !== "HELD") throw new Error(`reservation ${reservationId} is not held`);
    await client.query(
      `update "reservations" set "status" = CASE WHEN hold_expiry > statement_timestamp() THEN 'CONFIRMED' ELSE 'EXPIRED' END, "updated_at" = statement_timestamp() where "id" = $1 and "status" = $2 returning *`,
      [reservationId, "HELD"],
    );
    await client.query("commit");
  } catch (error) {
    await client.query("rollback");
    throw error;
  } finally {
    client.release();
  }
}

/** The availability snapshot's one statement; returns the number of seats. */
export async function rawAvailability(pool: pg.Pool, showId: number): Promise<number> {
  const { rows } = await pool.query(
    `SELECT t.as_of, s.id AS seat_id, s.seat_number,
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
