import { type Kysely, sql } from "kysely";
import type { DB } from "../generated/db.js";
import type { SeatAvailabilityStatus } from "./availability.js";

/**
 * One reservation event as the live feed sends it (docs/design.md, Live availability): what the
 * seat now is, `AVAILABLE` after an expiry or a cancellation.
 */
export interface SeatChange {
  event_id: number;
  seat_id: number;
  seat_number: string;
  status: SeatAvailabilityStatus;
  /** When a HELD seat's hold lapses; null otherwise. */
  hold_expiry: Date | null;
  at: Date;
}

/**
 * Whether the show exists and, if so, its newest event id (null before any), in one statement;
 * undefined when there is no such show.
 */
export async function selectShowEventHead(
  db: Kysely<DB>,
  showId: number,
): Promise<{ last_event_id: number | null } | undefined> {
  const { rows } = await sql<{ last_event_id: number | null }>`
    SELECT (SELECT max(e.id) FROM reservation_events e WHERE e.show_id = sh.id) AS last_event_id
    FROM shows sh WHERE sh.id = ${showId}
  `.execute(db);
  return rows[0];
}

/**
 * The show's changes after event `afterEventId`, oldest first, at most `limit`. A show's event ids
 * rise in commit order (the trigger's per-show lock), so repeating this from the last id returned
 * reads every committed change exactly once.
 */
export async function selectSeatChangesAfter(
  db: Kysely<DB>,
  showId: number,
  afterEventId: number,
  limit: number,
): Promise<SeatChange[]> {
  const { rows } = await sql<SeatChange>`
    SELECT e.id AS event_id, e.seat_id, s.seat_number,
           CASE e.status WHEN 'HELD' THEN 'HELD' WHEN 'CONFIRMED' THEN 'CONFIRMED' ELSE 'AVAILABLE' END AS status,
           CASE WHEN e.status = 'HELD' THEN r.hold_expiry END AS hold_expiry,
           e.at
    FROM reservation_events e
    JOIN seats s ON s.id = e.seat_id
    JOIN reservations r ON r.id = e.reservation_id
    WHERE e.show_id = ${showId} AND e.id > ${afterEventId}
    ORDER BY e.id
    LIMIT ${limit}
  `.execute(db);
  return rows;
}
