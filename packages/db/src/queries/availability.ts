import { type Kysely, sql } from "kysely";
import type { DB } from "../generated/db.js";
import { dbNow, holdIsLive } from "./hold-state.js";

export type SeatAvailabilityStatus = "AVAILABLE" | "HELD" | "CONFIRMED";

export interface AvailabilitySnapshot {
  show_id: number;
  as_of: Date;
  seats: {
    seat_id: number;
    seat_number: string;
    status: SeatAvailabilityStatus;
    hold_expiry: Date | null;
  }[];
}

/**
 * Every seat of a show with its status, in one statement against one database time, so a
 * snapshot is consistent: a hold that has lapsed reads AVAILABLE even before it is marked
 * EXPIRED. Returns undefined when the show does not exist. `as_of` is sent on one row only
 * (whichever comes first to the window function): on 100,000 rows, a timestamp parsed into a Date
 * per row was a large share of the memory and time of reading the snapshot.
 */
export function availabilityStatement(showId: number) {
  const asOf = sql.ref<Date>("t.as_of");
  return sql<{
    as_of: Date | null;
    seat_id: number | null;
    seat_number: string | null;
    status: SeatAvailabilityStatus;
    hold_expiry: Date | null;
  }>`
    SELECT CASE WHEN row_number() OVER () = 1 THEN t.as_of END AS as_of, s.id AS seat_id, s.seat_number,
           CASE WHEN r.status = 'CONFIRMED' THEN 'CONFIRMED'
                WHEN ${holdIsLive(asOf, "r")} THEN 'HELD'
                ELSE 'AVAILABLE' END AS status,
           CASE WHEN ${holdIsLive(asOf, "r")} THEN r.hold_expiry END AS hold_expiry
    FROM (SELECT ${dbNow} AS as_of) t
    JOIN shows sh ON sh.id = ${showId}
    LEFT JOIN seats s ON s.show_id = sh.id
    LEFT JOIN reservations r ON r.seat_id = s.id AND r.status IN ('HELD', 'CONFIRMED')
    ORDER BY s.sort_key, s.seat_number COLLATE "C"
  `;
}

/** Runs `availabilityStatement` and shapes its rows into a snapshot. */
export async function selectAvailability(
  db: Kysely<DB>,
  showId: number,
): Promise<AvailabilitySnapshot | undefined> {
  const { rows } = await availabilityStatement(showId).execute(db);
  let asOf: Date | null = null;
  const seats: AvailabilitySnapshot["seats"] = [];
  for (const row of rows) {
    if (row.as_of !== null) asOf = row.as_of;
    if (row.seat_id === null || row.seat_number === null) continue; // a show without seats
    seats.push({
      seat_id: row.seat_id,
      seat_number: row.seat_number,
      status: row.status,
      hold_expiry: row.hold_expiry,
    });
  }
  if (asOf === null) return undefined; // no row: no such show
  return { show_id: showId, as_of: asOf, seats };
}
