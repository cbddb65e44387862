import { type AvailabilityQuery, type Database, selectAvailability } from "@eventforge/db";
import { InvalidInputError, type ServiceErrors, ShowNotFoundError } from "./errors.js";
import type { Availability } from "./types.js";

/** What getAvailability can throw: its reasons and their details in the OpenAPI document and the client. */
export const getAvailabilityErrors = [ShowNotFoundError, InvalidInputError] as const satisfies ServiceErrors;

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
      field: "cursor",
    });
  }
  return snapshot;
}
