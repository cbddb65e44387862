import { type Kysely, sql } from "kysely";
import type { DB } from "../generated/db.js";
import { dbNow, holdIsLive } from "./hold-state.js";

export type SeatAvailabilityStatus = "AVAILABLE" | "HELD" | "CONFIRMED";

/** Which seats of the snapshot to return; without `limit`, every one (after `status`). */
export interface AvailabilityQuery {
  status?: SeatAvailabilityStatus | undefined;
  /** Seats per page (the caller bounds it). */
  limit?: number | undefined;
  /** The `seat_id` of the last seat of the previous page: the page starts after it, in natural order. */
  cursor?: number | undefined;
}

export interface AvailabilityCounts {
  total: number;
  available: number;
  held: number;
  confirmed: number;
}

export interface AvailabilitySnapshot {
  show_id: number;
  as_of: Date;
  /** Of the whole show, whatever the filter and the page. */
  counts: AvailabilityCounts;
  /** The newest reservation_events id of the show this snapshot includes; null before any. */
  last_event_id: number | null;
  seats: {
    seat_id: number;
    seat_number: string;
    status: SeatAvailabilityStatus;
    hold_expiry: Date | null;
  }[];
  /** The `cursor` of the next page; null on the last one (and without `limit`). */
  next_cursor: number | null;
}

/**
 * The seats of a show with their status, in one statement against one database time, so a
 * snapshot is consistent: a hold that has lapsed reads AVAILABLE even before it is marked
 * EXPIRED. The seat states are computed once: the counts of the whole show and the page (the
 * `status` filter, then the seats after `cursor` in natural order, `limit + 1` of them to learn
 * whether more follow) both read them. The show, `as_of`, the counts and whether the cursor is a
 * seat of the show ride on one row only (whichever comes first to the window function; with no
 * seat on the page, the only row): on 100,000 rows, a timestamp parsed into a Date per row was a
 * large share of the memory and time of reading the snapshot. No row: no such show. `last_event_id` rides
 * on that row too: read by the same statement, it is exactly the newest event the snapshot
 * includes (a show's event ids rise in commit order), so a watcher resuming after it neither
 * misses nor repeats a change.
 */
export function availabilityStatement(showId: number, query: AvailabilityQuery = {}) {
  const byStatus = query.status === undefined ? sql`` : sql`AND st.status = ${query.status}`;
  const cursorSeat = sql`SELECT sort_key, seat_number FROM seats WHERE id = ${query.cursor ?? null}::integer AND show_id = ${showId}`;
  const afterCursor =
    query.cursor === undefined
      ? sql``
      : sql`AND (st.sort_key, st.seat_number COLLATE "C") > (SELECT sort_key, seat_number COLLATE "C" FROM (${cursorSeat}) c)`;
  const limit = query.limit === undefined ? sql`` : sql`LIMIT ${query.limit + 1}`;
  const first = sql`row_number() OVER () = 1`;
  const asOf = sql.ref<Date>("t.as_of");
  return sql<{
    as_of: Date | null;
    total: number | null;
    available: number | null;
    held: number | null;
    confirmed: number | null;
    cursor_known: boolean | null;
    last_event_id: number | null;
    seat_id: number | null;
    seat_number: string | null;
    status: SeatAvailabilityStatus | null;
    hold_expiry: Date | null;
  }>`
    WITH t AS (
      SELECT ${dbNow} AS as_of,
             (SELECT max(e.id) FROM reservation_events e WHERE e.show_id = ${showId}) AS last_event_id
    ),
    seat_states AS MATERIALIZED (
      SELECT s.id AS seat_id, s.seat_number, s.sort_key,
             CASE WHEN r.status = 'CONFIRMED' THEN 'CONFIRMED'
                  WHEN ${holdIsLive(asOf, "r")} THEN 'HELD'
                  ELSE 'AVAILABLE' END AS status,
             CASE WHEN ${holdIsLive(asOf, "r")} THEN r.hold_expiry END AS hold_expiry
      FROM t CROSS JOIN seats s
      LEFT JOIN reservations r ON r.seat_id = s.id AND r.status IN ('HELD', 'CONFIRMED')
      WHERE s.show_id = ${showId}
    ),
    counts AS (
      SELECT count(*) AS total,
             count(*) FILTER (WHERE status = 'AVAILABLE') AS available,
             count(*) FILTER (WHERE status = 'HELD') AS held,
             count(*) FILTER (WHERE status = 'CONFIRMED') AS confirmed
      FROM seat_states
    )
    SELECT CASE WHEN ${first} THEN t.as_of END AS as_of,
           CASE WHEN ${first} THEN t.last_event_id END AS last_event_id,
           CASE WHEN ${first} THEN c.total END AS total,
           CASE WHEN ${first} THEN c.available END AS available,
           CASE WHEN ${first} THEN c.held END AS held,
           CASE WHEN ${first} THEN c.confirmed END AS confirmed,
           CASE WHEN ${first} THEN ${query.cursor ?? null}::integer IS NULL OR EXISTS (${cursorSeat}) END AS cursor_known,
           p.seat_id, p.seat_number, p.status, p.hold_expiry
    FROM t
    JOIN shows sh ON sh.id = ${showId}
    CROSS JOIN counts c
    LEFT JOIN LATERAL (
      SELECT * FROM seat_states st
      WHERE true ${byStatus} ${afterCursor}
      ORDER BY st.sort_key, st.seat_number COLLATE "C"
      ${limit}
    ) p ON true
    ORDER BY p.sort_key, p.seat_number COLLATE "C"
  `;
}

/**
 * Runs `availabilityStatement` and shapes its rows into a snapshot; undefined when the show does
 * not exist, "unknown cursor" when `cursor` is not a seat of the show.
 */
export async function selectAvailability(
  db: Kysely<DB>,
  showId: number,
  query: AvailabilityQuery = {},
): Promise<AvailabilitySnapshot | "unknown cursor" | undefined> {
  const { rows } = await availabilityStatement(showId, query).execute(db);
  let asOf: Date | null = null;
  let counts: AvailabilityCounts = { total: 0, available: 0, held: 0, confirmed: 0 };
  let cursorKnown = true;
  let lastEventId: number | null = null;
  const seats: AvailabilitySnapshot["seats"] = [];
  for (const row of rows) {
    if (row.as_of !== null) {
      asOf = row.as_of;
      lastEventId = row.last_event_id;
      counts = {
        total: row.total ?? 0,
        available: row.available ?? 0,
        held: row.held ?? 0,
        confirmed: row.confirmed ?? 0,
      };
      cursorKnown = row.cursor_known === true;
    }
    // No seat on this page (a show without seats, or none after the filter and cursor).
    if (row.seat_id === null || row.seat_number === null || row.status === null) continue;
    seats.push({
      seat_id: row.seat_id,
      seat_number: row.seat_number,
      status: row.status,
      hold_expiry: row.hold_expiry,
    });
  }
  if (asOf === null) return undefined; // no row: no such show
  if (!cursorKnown) return "unknown cursor";
  let nextCursor: number | null = null;
  if (query.limit !== undefined && seats.length > query.limit) {
    seats.length = query.limit;
    nextCursor = seats[seats.length - 1]?.seat_id ?? null;
  }
  return { show_id: showId, as_of: asOf, last_event_id: lastEventId, counts, seats, next_cursor: nextCursor };
}
