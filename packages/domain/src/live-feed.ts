import {
  type Database,
  type SeatChange,
  type SeatChangeNotice,
  selectSeatChangesAfter,
  selectShowEventHead,
} from "@eventforge/db";
import { type ServiceErrors, ShowNotFoundError, WatcherTooSlowError } from "./errors.js";

/** Changes read from reservation_events per statement (the feed's fetches and a watcher's catch-up). */
export const LIVE_PAGE_SIZE = 500;
/** Changes a watcher may have waiting before it is dropped as too slow. */
export const MAX_PENDING_CHANGES = 1_000;
/** After a failed fetch (the database away) a show's feed tries again this much later. */
const FETCH_RETRY_MS = 1_000;

export interface WatchOptions {
  /** Resume after this event (a snapshot's last_event_id, or the last change seen); else from now. */
  afterEventId?: number | null | undefined;
  /** Ends the watch (the client went away). */
  signal?: AbortSignal | undefined;
}

/**
 * The live availability of every show, for one server instance (docs/design.md, Live
 * availability). Its notices come from the instance's LISTEN connection; whatever the number of
 * watchers of a show, each batch of notices costs one read of reservation_events, and the changes
 * read are fanned out to every watcher's bounded buffer.
 */
export interface LiveFeed {
  /**
   * The show's changes after `afterEventId` (undefined when there is no such show): first those
   * already committed, read at the watcher's own pace, then the live ones, in event id order,
   * each exactly once. A watcher that lets MAX_PENDING_CHANGES live changes pile up is dropped:
   * its changes end and `droppedAfter()` says after which event. They also end when `signal`
   * aborts or the feed stops. (Services and transports use `watchAvailability`.)
   */
  watch(showId: number, options?: WatchOptions): Promise<Watch | undefined>;
  /** A transition was committed (from NOTIFY seat_changes). */
  notify(notice: SeatChangeNotice): void;
  /** Reads whatever was committed since the last read, for every watched show (after a reconnect). */
  catchUp(): void;
  /** Ends every watch; later watches end at once. */
  stop(): void;
  /** Watchers currently attached. */
  readonly watcherCount: number;
}

export interface Watch {
  changes: AsyncIterable<SeatChange>;
  /** The last event taken before the watcher was dropped as too slow; undefined if it was not. */
  droppedAfter(): number | undefined;
}

interface Watcher {
  /** Live changes not yet taken by the consumer, in event id order. */
  pending: SeatChange[];
  /** The last change the consumer took. */
  lastTaken: number;
  /** While it reads what was committed before it joined, a full buffer only means "read on". */
  catchingUp: boolean;
  overflowed: boolean;
  droppedAfter: number | undefined;
  done: boolean;
  wake: (() => void) | undefined;
}

interface ShowFeed {
  showId: number;
  /** The newest event read for this show. */
  cursor: number;
  watchers: Set<Watcher>;
  fetching: boolean;
  /** A notice arrived during a fetch: fetch again when it ends. */
  again: boolean;
  retry: NodeJS.Timeout | undefined;
}

export function createLiveFeed(options: {
  db: Database;
  /** A read of reservation_events failed; the feed retries by itself. */
  onFetchError?: (error: unknown, showId: number) => void;
}): LiveFeed {
  const { db } = options;
  const shows = new Map<number, ShowFeed>();
  let watcherCount = 0;
  let stopped = false;

  const offer = (watcher: Watcher, change: SeatChange) => {
    if (watcher.done) return;
    const newest = watcher.pending.at(-1)?.event_id ?? watcher.lastTaken;
    if (change.event_id <= newest) return;
    if (watcher.pending.length >= MAX_PENDING_CHANGES) {
      if (watcher.catchingUp) {
        // Still reading from the table: drop the buffer and read these from there as well.
        watcher.pending = [];
        watcher.overflowed = true;
        return;
      }
      watcher.droppedAfter = watcher.lastTaken;
      end(watcher);
      return;
    }
    watcher.pending.push(change);
    watcher.wake?.();
  };

  const end = (watcher: Watcher) => {
    watcher.done = true;
    watcher.pending = [];
    watcher.wake?.();
  };

  const fetchChanges = async (feed: ShowFeed): Promise<void> => {
    if (feed.fetching) {
      feed.again = true;
      return;
    }
    feed.fetching = true;
    try {
      do {
        feed.again = false;
        for (;;) {
          const page = await selectSeatChangesAfter(db, feed.showId, feed.cursor, LIVE_PAGE_SIZE);
          for (const change of page) {
            feed.cursor = change.event_id;
            for (const watcher of feed.watchers) offer(watcher, change);
          }
          if (page.length < LIVE_PAGE_SIZE) break;
        }
      } while (feed.again && isCurrent(feed));
    } catch (error) {
      options.onFetchError?.(error, feed.showId);
      clearTimeout(feed.retry);
      feed.retry = setTimeout(() => {
        feed.retry = undefined;
        if (isCurrent(feed)) void fetchChanges(feed);
      }, FETCH_RETRY_MS);
    } finally {
      feed.fetching = false;
    }
  };

  const isCurrent = (feed: ShowFeed) => !stopped && shows.get(feed.showId) === feed;

  const join = (showId: number, head: number, watcher: Watcher): ShowFeed => {
    let feed = shows.get(showId);
    if (!feed) {
      feed = { showId, cursor: head, watchers: new Set(), fetching: false, again: false, retry: undefined };
      shows.set(showId, feed);
    }
    feed.watchers.add(watcher);
    watcherCount++;
    return feed;
  };

  const leave = (feed: ShowFeed, watcher: Watcher) => {
    if (!feed.watchers.delete(watcher)) return;
    watcherCount--;
    if (feed.watchers.size === 0 && shows.get(feed.showId) === feed) {
      clearTimeout(feed.retry);
      shows.delete(feed.showId);
    }
  };

  async function* changesOf(feed: ShowFeed, watcher: Watcher, onAbort: () => void, signal?: AbortSignal) {
    try {
      // 1. What was committed before (or while) it joined, straight from the table at its own
      // pace; the feed's live changes meanwhile wait in `pending` (read again if it overflows).
      for (;;) {
        watcher.overflowed = false;
        const page = await selectSeatChangesAfter(db, feed.showId, watcher.lastTaken, LIVE_PAGE_SIZE);
        for (const change of page) {
          if (watcher.done) break;
          watcher.lastTaken = change.event_id;
          yield change;
        }
        if (watcher.done) break;
        if (page.length < LIVE_PAGE_SIZE && !watcher.overflowed) break;
      }
      // 2. Live: every change later than the table's last page is in `pending` or still to come.
      watcher.pending = watcher.pending.filter((change) => change.event_id > watcher.lastTaken);
      watcher.catchingUp = false;
      for (;;) {
        const change = watcher.pending.shift();
        if (change) {
          watcher.lastTaken = change.event_id;
          yield change;
          continue;
        }
        if (watcher.done) break;
        await new Promise<void>((resolve) => {
          watcher.wake = resolve;
        });
        watcher.wake = undefined;
      }
    } finally {
      signal?.removeEventListener("abort", onAbort);
      watcher.done = true;
      leave(feed, watcher);
    }
  }

  return {
    async watch(showId, watchOptions = {}) {
      const head = await selectShowEventHead(db, showId);
      if (!head) return undefined;
      const newest = head.last_event_id ?? 0;
      const { signal } = watchOptions;
      if (stopped || signal?.aborted)
        return { changes: (async function* () {})(), droppedAfter: () => undefined };
      const watcher: Watcher = {
        pending: [],
        lastTaken: watchOptions.afterEventId ?? newest,
        catchingUp: true,
        overflowed: false,
        droppedAfter: undefined,
        done: false,
        wake: undefined,
      };
      // Joined before its catch-up reads the table, so a change committed in between is in one or
      // the other (or both: `offer` and the catch-up skip what is not newer than what it has).
      const feed = join(showId, newest, watcher);
      // Registered here, not in the generator: one that is never iterated must leave as well.
      const onAbort = () => {
        end(watcher);
        leave(feed, watcher);
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      return { changes: changesOf(feed, watcher, onAbort, signal), droppedAfter: () => watcher.droppedAfter };
    },
    notify(notice) {
      const feed = shows.get(notice.show_id);
      if (!feed || stopped || notice.event_id <= feed.cursor) return;
      void fetchChanges(feed);
    },
    catchUp() {
      for (const feed of shows.values()) void fetchChanges(feed);
    },
    stop() {
      stopped = true;
      for (const feed of shows.values()) {
        clearTimeout(feed.retry);
        for (const watcher of feed.watchers) end(watcher);
      }
      shows.clear();
    },
    get watcherCount() {
      return watcherCount;
    },
  };
}

export const watchAvailabilityErrors = [
  ShowNotFoundError,
  WatcherTooSlowError,
] as const satisfies ServiceErrors;

/**
 * availability.watch and the REST event stream: the show's changes after `afterEventId` (see
 * LiveFeed.watch). An unknown show is ShowNotFoundError before any change; a watcher dropped as too
 * slow gets WatcherTooSlowError after its last change, naming where to resume.
 */
export async function watchAvailability(
  live: LiveFeed,
  showId: number,
  options: WatchOptions = {},
): Promise<AsyncIterable<SeatChange>> {
  const watch = await live.watch(showId, options);
  if (!watch) throw new ShowNotFoundError(showId);
  return relayChanges(watch);
}

async function* relayChanges(watch: Watch): AsyncGenerator<SeatChange> {
  yield* watch.changes;
  const droppedAfter = watch.droppedAfter();
  if (droppedAfter !== undefined) throw new WatcherTooSlowError(droppedAfter, MAX_PENDING_CHANGES);
}
