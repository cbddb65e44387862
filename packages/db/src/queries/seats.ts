import { type Kysely, sql } from "kysely";
import type { DB } from "../generated/db.js";

export interface NewSeatRow {
  seat_number: string;
  sort_key: string;
}

/** Which of these labels the show already has. */
export async function findExistingSeatLabels(
  db: Kysely<DB>,
  showId: number,
  labels: readonly string[],
): Promise<string[]> {
  const rows = await db
    .selectFrom("seats")
    .select("seat_number")
    .where("show_id", "=", showId)
    .where("seat_number", "=", sql<string>`any(${[...labels]}::text[])`)
    .orderBy("sort_key")
    .execute();
  return rows.map((r) => r.seat_number);
}

/**
 * Inserts all seats in one statement: two array parameters, whatever the count (a VALUES list
 * would hit PostgreSQL's 65,535-parameter limit for large venues).
 */
export async function insertSeats(db: Kysely<DB>, showId: number, seats: readonly NewSeatRow[]) {
  const { rows } = await insertSeatsStatement(showId, seats).execute(db);
  return rows;
}

export function insertSeatsStatement(showId: number, seats: readonly NewSeatRow[]) {
  const labels = seats.map((s) => s.seat_number);
  const sortKeys = seats.map((s) => s.sort_key);
  return sql<{ id: number; show_id: number; seat_number: string; sort_key: string }>`
    INSERT INTO seats (show_id, seat_number, sort_key)
    SELECT ${showId}, n.seat_number, n.sort_key
    FROM unnest(${labels}::text[], ${sortKeys}::text[]) AS n(seat_number, sort_key)
    RETURNING id, show_id, seat_number, sort_key
  `;
}

/** A show's seats in natural order (A2 before A10). */
export function selectSeatsOfShow(db: Kysely<DB>, showId: number) {
  return db
    .selectFrom("seats")
    .select(["id", "show_id", "seat_number"])
    .where("show_id", "=", showId)
    .orderBy("sort_key")
    .orderBy(sql`seat_number COLLATE "C"`)
    .execute();
}
