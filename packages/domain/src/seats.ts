import {
  asRecoverableStatement,
  type Database,
  findExistingSeatLabels,
  insertSeats,
  inTransaction,
  isUniqueViolation,
  lockShowForSeatChanges,
  selectSeatsOfShow,
} from "@eventforge/db";
import {
  DuplicateSeatLabelError,
  InvalidSeatLabelError,
  type ServiceErrors,
  ShowNotFoundError,
} from "./errors.js";
import {
  compareByteOrder,
  compareSeatLabels,
  findRepeatedLabels,
  normalizeSeatLabel,
  seatSortKey,
} from "./seat-labels.js";
import { getShow } from "./shows.js";
import type { Seat } from "./types.js";

/** What addSeats can throw: its reasons and their details in the OpenAPI document and the client. */
export const addSeatsErrors = [
  InvalidSeatLabelError,
  ShowNotFoundError,
  DuplicateSeatLabelError,
] as const satisfies ServiceErrors;

/**
 * Adds seats to a show, all or nothing: labels are normalized, and a label repeated in the
 * request or already on the show rejects the whole request, naming the labels.
 */
export async function addSeats(
  db: Database,
  input: { show_id: number; seat_numbers: readonly string[] },
): Promise<{ seats: Seat[] }> {
  const labels = input.seat_numbers.map(normalizeSeatLabel);
  const repeated = findRepeatedLabels(labels);
  const inserted = await inTransaction(db, async (tx) => {
    // Serializes additions to one show, so the check below cannot race another request.
    if (!(await lockShowForSeatChanges(tx, input.show_id))) throw new ShowNotFoundError(input.show_id);
    const existing = await findExistingSeatLabels(tx, input.show_id, [...new Set(labels)]);
    if (repeated.length > 0 || existing.length > 0) {
      const all = [...new Set([...repeated, ...existing])].sort(compareSeatLabels);
      throw new DuplicateSeatLabelError({ repeated, existing: existing.sort(compareSeatLabels), all });
    }
    try {
      // Recoverable: the domain error below must leave a caller's transaction usable.
      return await asRecoverableStatement(tx, (run) =>
        insertSeats(
          run,
          input.show_id,
          labels.map((label) => ({ seat_number: label, sort_key: seatSortKey(label) })),
        ),
      );
    } catch (error) {
      // The unique constraint is the last line of defence; it should never be what fires.
      if (isUniqueViolation(error, "seats_show_id_seat_number_key")) {
        throw new DuplicateSeatLabelError({ repeated: [], existing: labels, all: labels });
      }
      throw error;
    }
  });
  // Natural order from the stored sort keys, each computed once (not twice per comparison).
  inserted.sort(
    (a, b) => compareByteOrder(a.sort_key, b.sort_key) || compareByteOrder(a.seat_number, b.seat_number),
  );
  return { seats: inserted.map(({ id, show_id, seat_number }) => ({ id, show_id, seat_number })) };
}

/** What listSeats can throw: its reasons and their details in the OpenAPI document and the client. */
export const listSeatsErrors = [ShowNotFoundError] as const satisfies ServiceErrors;

export async function listSeats(db: Database, showId: number): Promise<{ seats: Seat[] }> {
  const seats = await selectSeatsOfShow(db, showId);
  // Seats prove their show exists; only an empty list needs the second look (404 or no seats yet).
  if (seats.length === 0) await getShow(db, showId);
  return { seats };
}
