// The signed-in user's reservations that this browser has made or seen, per user, in
// localStorage: what marks seats as "mine" on the map and what the hold panel counts down.
import type { Reservation } from "./api";
import { session } from "./session";

export interface KnownReservation {
  id: number;
  show_id: number;
  seat_id: number;
  seat_number: string;
  status: Reservation["status"];
  /** ISO-8601; Dates do not survive localStorage. */
  hold_expiry: string;
}

function key(): string | undefined {
  const user = session.current()?.user;
  return user ? `eventforge.reservations.${user.id}` : undefined;
}

function load(): KnownReservation[] {
  const storageKey = key();
  if (!storageKey) return [];
  try {
    const parsed = JSON.parse(localStorage.getItem(storageKey) ?? "[]") as unknown;
    return Array.isArray(parsed) ? (parsed as KnownReservation[]) : [];
  } catch {
    return [];
  }
}

function save(reservations: KnownReservation[]): void {
  const storageKey = key();
  if (storageKey) localStorage.setItem(storageKey, JSON.stringify(reservations));
}

export const myReservations = {
  all: load,
  /** Records reservations as the server returned them; `labels` names their seats. */
  record(reservations: readonly Reservation[], labels: ReadonlyMap<number, string>): void {
    const byId = new Map(load().map((known) => [known.id, known]));
    for (const reservation of reservations) {
      byId.set(reservation.id, {
        id: reservation.id,
        show_id: reservation.show_id,
        seat_id: reservation.seat_id,
        seat_number: labels.get(reservation.seat_id) ?? byId.get(reservation.id)?.seat_number ?? "?",
        status: reservation.status,
        hold_expiry: reservation.hold_expiry.toISOString(),
      });
    }
    save([...byId.values()]);
  },
  /** Marks reservations as lapsed (their countdown reached zero, or a confirm said HOLD_EXPIRED). */
  markExpired(ids: readonly number[]): void {
    const lapsed = new Set(ids);
    save(load().map((known) => (lapsed.has(known.id) ? { ...known, status: "EXPIRED" } : known)));
  },
};
