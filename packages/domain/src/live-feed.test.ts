import { createSeatChangeListener, type SeatChange } from "@eventforge/db";
import { createTestDatabase, type TestDatabase } from "@eventforge/db/testing";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ShowNotFoundError, WatcherTooSlowError } from "./errors.js";
import { createLiveFeed, type LiveFeed, MAX_PENDING_CHANGES, watchAvailability } from "./live-feed.js";
import { deferred, seedShow, seedUser } from "./testing.js";
import type { User } from "./types.js";

let t: TestDatabase;
let fan: User;
let feed: LiveFeed;
let listener: ReturnType<typeof createSeatChangeListener>;

beforeAll(async () => {
  t = await createTestDatabase();
  fan = await seedUser(t.db);
  feed = createLiveFeed({ db: t.db });
  // The real thing: a LISTEN connection of its own feeding the feed.
  const ready = deferred();
  listener = createSeatChangeListener({
    connectionString: t.url,
    onNotice: (notice) => feed.notify(notice),
    onListening: () => {
      feed.catchUp();
      ready.resolve();
    },
  });
  await listener.start();
  await ready.promise;
});
afterAll(async () => {
  feed.stop();
  await listener.stop();
  await t.drop();
});

/** Holds up to `limit` free seats of the show in one statement: one event (and notice) per seat. */
async function holdFree(showId: number, limit = 100_000): Promise<void> {
  await sql`
    INSERT INTO reservations (user_id, seat_id, show_id, status, hold_expiry, actor_user_id)
    SELECT ${fan.id}, s.id, s.show_id, 'HELD', statement_timestamp() + interval '10 minutes', ${fan.id}
    FROM seats s
    WHERE s.show_id = ${showId} AND NOT EXISTS (SELECT 1 FROM reservations r WHERE r.seat_id = s.id)
    ORDER BY s.id
    LIMIT ${limit}
  `.execute(t.db);
}

/** Takes `count` changes from `changes` (at the consumer's pace). */
async function take(changes: AsyncIterator<SeatChange>, count: number): Promise<SeatChange[]> {
  const taken: SeatChange[] = [];
  while (taken.length < count) {
    const next = await changes.next();
    if (next.done) break;
    taken.push(next.value);
  }
  return taken;
}

describe("the live feed", () => {
  it("drops a watcher that stops reading once it is too far behind, and costs the others nothing", async () => {
    const seatCount = MAX_PENDING_CHANGES + 100;
    const { show } = await seedShow(
      t.db,
      Array.from({ length: seatCount }, (_, i) => `L${i + 1}`),
    );
    const fast = (await watchAvailability(feed, show.id))[Symbol.asyncIterator]();
    const slow = (await watchAvailability(feed, show.id))[Symbol.asyncIterator]();
    await holdFree(show.id, 1);
    expect((await take(fast, 1)).length + (await take(slow, 1)).length).toBe(2);
    // Both are live now (past their catch-up); the slow one takes one more change, then nothing.
    // The fast one is reading before the burst is committed: the feed offers it a page
    // (LIVE_PAGE_SIZE) at a time, while a reader that starts only after the commit may find its
    // buffer full already (the test loop's run 7 once did, and the fast one was dropped too).
    const secondOfSlow = slow.next();
    const fastReading = take(fast, seatCount - 1);
    await holdFree(show.id);
    const fastChanges = await fastReading;
    expect(fastChanges).toHaveLength(seatCount - 1);
    expect(new Set(fastChanges.map((change) => change.seat_id)).size).toBe(seatCount - 1);
    const ids = fastChanges.map((change) => change.event_id);
    expect([...ids].sort((x, y) => x - y)).toEqual(ids);

    expect(((await secondOfSlow).value as SeatChange).event_id).toBe(ids[0]);
    await expect(take(slow, seatCount)).rejects.toThrow(WatcherTooSlowError);
    await fast.return?.();
    expect(feed.watcherCount).toBe(0);
  });

  it("catches a watcher up from the table at its own pace, however far back it resumes", async () => {
    const seatCount = MAX_PENDING_CHANGES * 2;
    const { show } = await seedShow(
      t.db,
      Array.from({ length: seatCount }, (_, i) => `R${i + 1}`),
    );
    await holdFree(show.id);
    // Resuming from before the database's first event (ids start at 1), whatever else it holds:
    // other shows' events are skipped, and this show's first change (perhaps event 1) is not.
    const changes = (await watchAvailability(feed, show.id, { afterEventId: 0 }))[Symbol.asyncIterator]();
    const all = await take(changes, seatCount);
    expect(all.map((change) => change.seat_number)).toEqual(
      Array.from({ length: seatCount }, (_, i) => `R${i + 1}`),
    );
    expect(all.every((change) => change.status === "HELD" && change.hold_expiry instanceof Date)).toBe(true);
    await changes.return?.();
  });

  it("ends every watch when it stops, and refuses none but ends later ones at once", async () => {
    const lone = createLiveFeed({ db: t.db });
    const { show } = await seedShow(t.db, ["Z1"]);
    const watching = (await watchAvailability(lone, show.id))[Symbol.asyncIterator]();
    const next = watching.next();
    lone.stop();
    expect(await next).toEqual({ done: true, value: undefined });
    const later = (await watchAvailability(lone, show.id))[Symbol.asyncIterator]();
    expect(await later.next()).toEqual({ done: true, value: undefined });
    expect(lone.watcherCount).toBe(0);
    await expect(watchAvailability(lone, 999_999)).rejects.toThrow(ShowNotFoundError);
  });
});
