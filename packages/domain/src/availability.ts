import { type Database, selectAvailability } from "@eventforge/db";
import { type ServiceErrors, ShowNotFoundError } from "./errors.js";
import type { Availability } from "./types.js";

/** What getAvailability can throw: its reasons and their details in the OpenAPI document and the client. */
export const getAvailabilityErrors = [ShowNotFoundError] as const satisfies ServiceErrors;

/** Each seat of the show AVAILABLE, HELD (until hold_expiry) or CONFIRMED, as of database time. */
export async function getAvailability(db: Database, showId: number): Promise<Availability> {
  const snapshot = await selectAvailability(db, showId);
  if (!snapshot) throw new ShowNotFoundError(showId);
  return snapshot;
}
