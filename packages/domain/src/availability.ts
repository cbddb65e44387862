import { type AvailabilityQuery, type Database, selectAvailability } from "@eventforge/db";
import { InvalidInputError, ShowNotFoundError } from "./errors.js";
import type { Availability } from "./types.js";

/**
 * Each seat of the show AVAILABLE, HELD (until hold_expiry) or CONFIRMED, as of database time,
 * with the counts of the whole show; `query` filters by status and pages in natural order.
 */
export async function getAvailability(
  db: Database,
  showId: number,
  query: AvailabilityQuery = {},
): Promise<Availability> {
  const snapshot = await selectAvailability(db, showId, query);
  if (!snapshot) throw new ShowNotFoundError(showId);
  if (snapshot === "unknown cursor") {
    throw new InvalidInputError("cursor is not a seat of this show: pass a next_cursor it returned", {
      cursor: query.cursor,
    });
  }
  return snapshot;
}
