// Keeps a seat map current. This is the one module the live feed plugs into: whatever the
// source, it ends in `target.apply(change)` (one seat) or `target.replace(snapshot)`.
//
// Until `availability.watch` is on main, the stand-in re-reads the snapshot every
// REFRESH_INTERVAL_MS (availability.get) and applies what changed.
import { type Availability, api } from "./api";
import type { SeatChange } from "./seat-map";

export interface SeatFeedTarget {
  /** One seat changed. */
  apply(change: SeatChange): void;
  /** A whole fresh snapshot (its `as_of` tells what it may be older than). */
  replace(snapshot: Availability): void;
}

export interface SeatFeed {
  stop(): void;
}

export const REFRESH_INTERVAL_MS = 1_000;

export function watchSeats(showId: number, _snapshot: Availability, target: SeatFeedTarget): SeatFeed {
  let stopped = false;
  let timer: number | undefined;
  const refresh = async () => {
    try {
      const snapshot = await api.availability.get.query({ show_id: showId });
      if (stopped) return;
      target.replace(snapshot);
    } catch {
      // Offline for a moment: the next refresh tries again.
    }
    if (!stopped) timer = window.setTimeout(refresh, REFRESH_INTERVAL_MS);
  };
  timer = window.setTimeout(refresh, REFRESH_INTERVAL_MS);
  return {
    stop() {
      stopped = true;
      window.clearTimeout(timer);
    },
  };
}
