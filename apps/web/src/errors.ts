// What went wrong, in words a fan understands, by the error's stable `reason`.
import { type ErrorReason, getErrorReason, isEventForgeError } from "@eventforge/client";
import { session } from "./session";

interface TakenSeat {
  seat_number: string;
}

function takenSeats(details: unknown): string[] {
  if (typeof details !== "object" || details === null) return [];
  const seats = (details as { seats?: unknown }).seats;
  if (!Array.isArray(seats)) return [];
  return seats
    .filter((seat): seat is TakenSeat => typeof (seat as TakenSeat)?.seat_number === "string")
    .map((seat) => seat.seat_number);
}

function list(labels: string[]): string {
  if (labels.length <= 1) return labels.join("");
  return `${labels.slice(0, -1).join(", ")} and ${labels[labels.length - 1]}`;
}

const MESSAGES: Partial<Record<ErrorReason, string>> = {
  SEAT_NOT_FOUND: "One of those seats no longer exists. The map has been refreshed.",
  SHOW_NOT_FOUND: "We could not find that show.",
  SHOW_STARTED: "This show has already started, so its seats are no longer on sale.",
  HOLD_EXPIRED: "Your hold ran out before you confirmed, so those seats went back on sale.",
  INVALID_TRANSITION: "That booking can no longer be changed.",
  RESERVATION_NOT_FOUND: "We could not find that booking.",
  INVALID_CREDENTIALS: "That email and password do not match an account.",
  EMAIL_TAKEN: "There is already an account with that email. Try signing in instead.",
  NOT_AUTHENTICATED: "Please sign in again; your session has ended.",
  TOKEN_EXPIRED: "Please sign in again; your session has ended.",
  INVALID_TOKEN: "Please sign in again; your session has ended.",
  FORBIDDEN: "Only the box office staff can do that.",
  TOO_MANY_REQUESTS: "Too many tries in a short time. Please wait a moment and try again.",
  DATABASE_UNAVAILABLE: "The box office is busy right now. Please try again in a few seconds.",
  BATCH_TOO_LARGE: "That was too much at once. Please try fewer seats.",
};

/** A sentence for the fan (or the staff) about `error`, from its reason and details. */
export function fanMessage(error: unknown): string {
  const reason = getErrorReason(error);
  if (reason === "NOT_AUTHENTICATED" || reason === "TOKEN_EXPIRED" || reason === "INVALID_TOKEN") {
    session.signOut();
  }
  const details = isEventForgeError(error) ? error.data?.details : undefined;
  switch (reason) {
    case "SEAT_TAKEN": {
      const seats = takenSeats(details);
      return seats.length > 0
        ? `Someone else just took ${list(seats)}. Pick other seats and try again.`
        : "Someone else just took one of those seats. Pick other seats and try again.";
    }
    case "HOLD_LIMIT_REACHED": {
      const limit = (details as { limit?: unknown } | null | undefined)?.limit;
      return typeof limit === "number"
        ? `You can hold at most ${limit} seats for one show at a time. Confirm or release some first.`
        : "You are holding as many seats as one person may for this show.";
    }
    case "DUPLICATE_SEAT_LABEL": {
      const labels = (details as { labels?: unknown } | null | undefined)?.labels;
      return Array.isArray(labels) && labels.length > 0
        ? `These seats exist already: ${list(labels.slice(0, 10).map(String))}${labels.length > 10 ? " and more" : ""}.`
        : "Some of those seats exist already.";
    }
    case "INVALID_INPUT":
    case "INVALID_SEAT_LABEL":
      return isEventForgeError(error)
        ? `Please check what you entered: ${error.message.replace(/^invalid input: /u, "")}`
        : "Please check what you entered.";
    case undefined:
      return "We could not reach the box office. Check your connection and try again.";
    default:
      return MESSAGES[reason] ?? "Something went wrong on our side. Please try again.";
  }
}
