// Keeps a seat map current through `availability.watch`, the live feed (tRPC over Server-Sent
// Events). This is the one module the feed plugs into: every change ends in `target.apply`.
// It subscribes from the snapshot's `last_event_id`, so snapshot + feed neither miss nor repeat a
// change; tRPC's subscription link resumes a dropped stream after the last change seen, and when
// the stream fails or ends this module subscribes again from there, backing off up to 5 s.
import { type Availability, api } from "./api";
import type { SeatChange } from "./seat-map";

export interface SeatFeedTarget {
  /** One seat changed. */
  apply(change: SeatChange): void;
}

export interface SeatFeed {
  stop(): void;
}

const RETRY_DELAYS_MS = [250, 1_000, 2_000, 5_000];

export function watchSeats(showId: number, snapshot: Availability, target: SeatFeedTarget): SeatFeed {
  let stopped = false;
  let lastEventId = snapshot.last_event_id;
  let failures = 0;
  let retry: number | undefined;
  let subscription: { unsubscribe(): void } | undefined;

  const connect = () => {
    subscription = api.availability.watch.subscribe(
      { show_id: showId, lastEventId },
      {
        onData: ({ data }) => {
          failures = 0;
          lastEventId = data.event_id;
          target.apply(data);
        },
        onError: () => again(),
        onComplete: () => again(),
      },
    );
  };
  const again = () => {
    subscription?.unsubscribe();
    if (stopped) return;
    const delay = RETRY_DELAYS_MS[Math.min(failures, RETRY_DELAYS_MS.length - 1)];
    failures += 1;
    retry = window.setTimeout(connect, delay);
  };
  connect();
  return {
    stop() {
      stopped = true;
      window.clearTimeout(retry);
      subscription?.unsubscribe();
    },
  };
}
