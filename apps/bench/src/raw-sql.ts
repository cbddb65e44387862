// The ceilings: the statements the server issues for each operation, sent straight through `pg`
// with nothing above them (no HTTP, tRPC, zod, superjson, Kysely or domain code). Kept
// word for word in step with packages/db/src/queries: when the server's SQL changes, change it
// here too, or the ceiling measures something else.
import type pg from "pg";

/** One hold, as `holdSeat` runs it: seat lookup, then expire-lapsed and insert in a transaction. */
export async function rawHold(pool: pg.Pool, userId: number, seatId: number): Promise<void> {
  const seat = await pool.query(
    `select "seats"."id" as "seat_id", "seats"."show_id", "seats"."seat_number", shows.starts_at <= statement_timestamp() as "show_started" from "seats" inner join "shows" on "shows"."id" = "seats"."show_id" where "seats"."id" = $1`,
    [seatId],
  );
  const row = seat.rows[0] as { seat_id: number; show_id: number; show_started: boolean } | undefined;
  if (!row || row.show_started) throw new Error(`seat ${seatId} cannot be held`);
  const client = await pool.connect();
  try {
    await client.query("begin");
    await client.query(
      `update "reservations" set "status" = $1, "updated_at" = statement_timestamp() where "seat_id" = $2 and "status" = $3 and "hold_expiry" <= statement_timestamp()`,
      ["EXPIRED", seatId, "HELD"],
    );
    await client.query(
      `insert into "reservations" ("user_id", "seat_id", "show_id", "status", "hold_expiry", "created_at", "updated_at") values ($1, $2, $3, $4, statement_timestamp() + make_interval(mins => $5), statement_timestamp(), statement_timestamp()) returning *`,
      [userId, seatId, row.show_id, "HELD", 10],
    );
    await client.query("commit");
  } catch (error) {
    await client.query("rollback");
    throw error;
  } finally {
    client.release();
  }
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
