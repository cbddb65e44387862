import { MAX_ID } from "@eventforge/client";
import { InvalidArgumentError } from "commander";
import { SEAT_STATUSES, type SeatStatus } from "./seat-map.js";

// Parsers for command-line values; a bad value is a usage error (exit 2) naming the argument.

/** An argument parser for ids: a positive whole number. */
export function parseId(value: string): number {
  if (!/^\d+$/u.test(value) || Number(value) < 1 || Number(value) > MAX_ID) {
    throw new InvalidArgumentError("expected a positive whole number");
  }
  return Number(value);
}

/** An argument parser for counts such as minutes: a whole number. */
export function parseWholeNumber(value: string): number {
  if (!/^\d+$/u.test(value)) throw new InvalidArgumentError("expected a whole number");
  return Number(value);
}

const DATE_TIME = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?$/iu;

/** An ISO-8601 date and time; without an offset (`Z`, `+02:00`) it is local time. */
export function parseDateTime(value: string): Date {
  const date = new Date(value.replace(" ", "T"));
  if (!DATE_TIME.test(value) || Number.isNaN(date.getTime())) {
    throw new InvalidArgumentError(
      "expected a date and time such as 2030-05-01T20:00 or 2030-05-01T20:00+02:00",
    );
  }
  return date;
}

/** `held`, `HELD`: one of the seat statuses of a seat map. */
export function parseSeatStatus(value: string): SeatStatus {
  const status = SEAT_STATUSES.find((s) => s === value.toUpperCase());
  if (!status) throw new InvalidArgumentError(`expected one of ${SEAT_STATUSES.join(", ")}`);
  return status;
}

const RESERVATION_STATUSES = ["HELD", "CONFIRMED", "EXPIRED", "CANCELLED"] as const;
export type ReservationStatus = (typeof RESERVATION_STATUSES)[number];

/** `held`, `HELD`: one of the statuses of a reservation. */
export function parseReservationStatus(value: string): ReservationStatus {
  const status = RESERVATION_STATUSES.find((s) => s === value.toUpperCase());
  if (!status) throw new InvalidArgumentError(`expected one of ${RESERVATION_STATUSES.join(", ")}`);
  return status;
}
