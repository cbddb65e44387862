import { createTestDatabase, type TestDatabase } from "@eventforge/db/testing";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ReservationNotFoundError, SeatTakenError } from "./errors.js";
import {
  confirmReservation,
  expireLapsedHolds,
  getReservationHistory,
  holdSeat,
  releaseReservation,
} from "./reservations.js";
import {
  actorOf,
  backendPid,
  deferred,
  seedCastWithActors,
  seedShow,
  seedUsers,
  setHoldExpiry,
  settle,
  storedReservation,
  waitUntilBlockedBy,
} from "./testing.js";
import type { Actor, User } from "./types.js";

// Every transition writes exactly its event (docs/design.md: Data model, Events), with who made it.

const policy = { maxHoldsPerShow: 10 };
let t: TestDatabase;
let alice: User;
let bob: User;
let admin: User;
let asAlice: Actor;
let asBob: Actor;
let asAdmin: Actor;

beforeAll(async () => {
  t = await createTestDatabase();
  ({ alice, bob, admin, asAlice, asBob, asAdmin } = await seedCastWithActors(t.db));
});
afterAll(() => t.drop());

async function newSeat(label: string): Promise<{ seat_id: number }> {
  const { seats } = await seedShow(t.db, [label]);
  return { seat_id: seats[0]?.id ?? 0 };
}

/** A reservation's events as [status, actor], oldest first, read straight from the table. */
async function eventsOf(reservationId: number): Promise<[string, number | null][]> {
  const rows = await t.db
    .selectFrom("reservation_events")
    .select(["status", "actor_user_id"])
    .where("reservation_id", "=", reservationId)
    .orderBy("id")
    .execute();
  return rows.map((row) => [row.status, row.actor_user_id]);
}

async function countEvents(): Promise<number> {
  const { rows } = await sql<{ n: number }>`SELECT count(*)::integer AS n FROM reservation_events`.execute(
    t.db,
  );
  return rows[0]?.n ?? -1;
}

describe("events of each transition", () => {
  it("a hold writes HELD by its maker; an admin's hold for a customer is the admin's doing", async () => {
    const own = await holdSeat(t.db, { seat: await newSeat("E1") }, asAlice, policy);
    expect(await eventsOf(own.id)).toEqual([["HELD", alice.id]]);
    const forBob = await holdSeat(t.db, { seat: await newSeat("E2"), user_id: bob.id }, asAdmin, policy);
    expect(forBob.user_id).toBe(bob.id);
    expect(await eventsOf(forBob.id)).toEqual([["HELD", admin.id]]);
    const stored = await t.db
      .selectFrom("reservation_events")
      .selectAll()
      .where("reservation_id", "=", forBob.id)
      .executeTakeFirstOrThrow();
    expect(stored).toMatchObject({
      show_id: forBob.show_id,
      seat_id: forBob.seat_id,
      user_id: bob.id,
      at: forBob.updated_at,
    });
  });

  it("confirm writes CONFIRMED once; a repeated confirm writes nothing", async () => {
    const held = await holdSeat(t.db, { seat: await newSeat("E3") }, asAlice, policy);
    await confirmReservation(t.db, { reservation_id: held.id }, asAlice);
    await confirmReservation(t.db, { reservation_id: held.id }, asAlice);
    expect(await eventsOf(held.id)).toEqual([
      ["HELD", alice.id],
      ["CONFIRMED", alice.id],
    ]);
  });

  it("an admin's confirm for a customer is the admin's", async () => {
    const held = await holdSeat(t.db, { seat: await newSeat("E4") }, asBob, policy);
    await confirmReservation(t.db, { reservation_id: held.id }, asAdmin);
    expect(await eventsOf(held.id)).toEqual([
      ["HELD", bob.id],
      ["CONFIRMED", admin.id],
    ]);
  });

  it("release writes CANCELLED once; an admin cancelling a booking writes CANCELLED by the admin", async () => {
    const held = await holdSeat(t.db, { seat: await newSeat("E5") }, asAlice, policy);
    await releaseReservation(t.db, { reservation_id: held.id }, asAlice);
    await releaseReservation(t.db, { reservation_id: held.id }, asAlice);
    expect(await eventsOf(held.id)).toEqual([
      ["HELD", alice.id],
      ["CANCELLED", alice.id],
    ]);

    const sold = await holdSeat(t.db, { seat: await newSeat("E6") }, asAlice, policy);
    await confirmReservation(t.db, { reservation_id: sold.id }, asAlice);
    await releaseReservation(t.db, { reservation_id: sold.id }, asAdmin);
    expect(await eventsOf(sold.id)).toEqual([
      ["HELD", alice.id],
      ["CONFIRMED", alice.id],
      ["CANCELLED", admin.id],
    ]);
    expect((await storedReservation(t.db, sold.id)).actor_user_id).toBe(admin.id);
  });

  it("an expiry noticed by a hold, a confirm or a release is the system's (NULL actor)", async () => {
    const seat = await newSeat("E7");
    const lapsedByHold = await holdSeat(t.db, { seat }, asAlice, policy);
    await setHoldExpiry(t.db, lapsedByHold.id, -1000);
    const next = await holdSeat(t.db, { seat }, asBob, policy);
    expect(await eventsOf(lapsedByHold.id)).toEqual([
      ["HELD", alice.id],
      ["EXPIRED", null],
    ]);
    expect(await eventsOf(next.id)).toEqual([["HELD", bob.id]]);
    expect((await storedReservation(t.db, lapsedByHold.id)).actor_user_id).toBeNull();

    const lapsedByConfirm = await holdSeat(t.db, { seat: await newSeat("E8") }, asAlice, policy);
    await setHoldExpiry(t.db, lapsedByConfirm.id, -1000);
    await expect(
      confirmReservation(t.db, { reservation_id: lapsedByConfirm.id }, asAlice),
    ).rejects.toMatchObject({
      reason: "HOLD_EXPIRED",
    });
    expect(await eventsOf(lapsedByConfirm.id)).toEqual([
      ["HELD", alice.id],
      ["EXPIRED", null],
    ]);

    const lapsedByRelease = await holdSeat(t.db, { seat: await newSeat("E9") }, asAlice, policy);
    await setHoldExpiry(t.db, lapsedByRelease.id, -1000);
    await releaseReservation(t.db, { reservation_id: lapsedByRelease.id }, asAlice);
    expect(await eventsOf(lapsedByRelease.id)).toEqual([
      ["HELD", alice.id],
      ["EXPIRED", null],
    ]);
  });

  it("an expiry by the sweeper is the system's, and the sweeper reports how many it expired", async () => {
    const held = await holdSeat(t.db, { seat: await newSeat("E10") }, asAlice, policy);
    const live = await holdSeat(t.db, { seat: await newSeat("E11") }, asAlice, policy);
    await setHoldExpiry(t.db, held.id, -1000);
    expect(await expireLapsedHolds(t.db, { batchSize: 10 })).toBeGreaterThanOrEqual(1);
    expect(await eventsOf(held.id)).toEqual([
      ["HELD", alice.id],
      ["EXPIRED", null],
    ]);
    expect(await eventsOf(live.id)).toEqual([["HELD", alice.id]]);
    expect(await expireLapsedHolds(t.db, { batchSize: 10 })).toBe(0);
  });

  it("a refused hold writes no event, and neither does a transaction rolled back after a hold", async () => {
    const seat = await newSeat("E12");
    await holdSeat(t.db, { seat }, asAlice, policy);
    const before = await countEvents();
    await expect(holdSeat(t.db, { seat }, asBob, policy)).rejects.toBeInstanceOf(SeatTakenError);
    await expect(
      t.db.transaction().execute(async (tx) => {
        await holdSeat(tx, { seat: await newSeat("E13") }, asBob, policy);
        throw new Error("the caller gives up");
      }),
    ).rejects.toThrow("the caller gives up");
    expect(await countEvents()).toBe(before);
  });

  it("30 holds racing for a lapsed seat: one EXPIRED event for the lapsed hold, one HELD for the winner", async () => {
    const seat = await newSeat("E14");
    const lapsed = await holdSeat(t.db, { seat }, asAlice, policy);
    await setHoldExpiry(t.db, lapsed.id, -1000);
    const before = await countEvents();
    const racers = await seedUsers(t.db, 30);
    const { ok, failed } = await settle(racers.map((u) => holdSeat(t.db, { seat }, actorOf(u), policy)));
    expect(ok).toHaveLength(1);
    expect(failed.every((e) => e instanceof SeatTakenError)).toBe(true);
    expect(await countEvents()).toBe(before + 2);
    expect(await eventsOf(lapsed.id)).toEqual([
      ["HELD", alice.id],
      ["EXPIRED", null],
    ]);
  });
});

describe("a hold inside a caller's transaction", () => {
  it("losing a race leaves the transaction usable: it goes on and commits its other work", async () => {
    const { seats } = await seedShow(t.db, ["T1", "T2"]);
    const [contested, other] = seats.map((s) => ({ seat_id: s.id }));
    if (!contested || !other) throw new Error("no seats");
    const rivalHolds = deferred<number>();
    const rivalMayCommit = deferred();
    // Bob's hold is inserted but not committed: Alice's snapshot cannot see it, her insert waits
    // for it, and fails once it commits.
    const rival = t.db.transaction().execute(async (tx) => {
      await holdSeat(tx, { seat: contested }, asBob, policy);
      rivalHolds.resolve(await backendPid(tx));
      await rivalMayCommit.promise;
    });
    const rivalPid = await rivalHolds.promise;
    const mine = t.db.transaction().execute(async (tx) => {
      const lost = await holdSeat(tx, { seat: contested }, asAlice, policy).catch((e: unknown) => e);
      const won = await holdSeat(tx, { seat: other }, asAlice, policy);
      return { lost, won };
    });
    await waitUntilBlockedBy(t.db, rivalPid);
    rivalMayCommit.resolve();
    await rival;
    const { lost, won } = await mine;
    expect(lost).toBeInstanceOf(SeatTakenError);
    expect((await storedReservation(t.db, won.id)).status).toBe("HELD");
  });
});

describe("expireLapsedHolds", () => {
  it("three sweepers racing over 250 lapsed holds of 3 shows expire each exactly once", async () => {
    const racers = await seedUsers(t.db, 25);
    const ids: number[] = [];
    for (let show = 0; show < 3; show++) {
      const labels = Array.from({ length: show === 0 ? 90 : 80 }, (_, i) => `S${i + 1}`);
      const { seats } = await seedShow(t.db, labels);
      const holds = await Promise.all(
        seats.map((s, i) =>
          holdSeat(t.db, { seat: { seat_id: s.id } }, actorOf(racers[i % 25] as User), policy),
        ),
      );
      ids.push(...holds.map((h) => h.id));
    }
    await expireLapsedHolds(t.db, { batchSize: 100 }); // what earlier tests left lapsed
    await sql`
      UPDATE reservations
      SET hold_expiry = statement_timestamp() - interval '1 second',
          created_at = statement_timestamp() - interval '2 seconds', updated_at = statement_timestamp() - interval '2 seconds'
      WHERE id = ANY(${ids}::bigint[])
    `.execute(t.db);
    const counts = await Promise.all([1, 2, 3].map(() => expireLapsedHolds(t.db, { batchSize: 20 })));
    expect(counts.reduce((a, b) => a + b, 0)).toBe(250);
    const { rows } = await sql<{ expired: number; events: number; actors: number }>`
      SELECT count(DISTINCT r.id)::integer AS expired, count(e.id)::integer AS events,
             count(e.actor_user_id)::integer AS actors
      FROM reservations r JOIN reservation_events e ON e.reservation_id = r.id AND e.status = 'EXPIRED'
      WHERE r.id = ANY(${ids}::bigint[]) AND r.status = 'EXPIRED'
    `.execute(t.db);
    expect(rows[0]).toEqual({ expired: 250, events: 250, actors: 0 });
  });
});

describe("getReservationHistory", () => {
  it("lists the events oldest first with their actors, for the owner and an admin; others get 404", async () => {
    const held = await holdSeat(t.db, { seat: await newSeat("H1") }, asAlice, policy);
    await confirmReservation(t.db, { reservation_id: held.id }, asAlice);
    await releaseReservation(t.db, { reservation_id: held.id }, asAdmin);
    const { events } = await getReservationHistory(t.db, { reservation_id: held.id }, asAlice);
    expect(events.map((e) => [e.status, e.actor_user_id])).toEqual([
      ["HELD", alice.id],
      ["CONFIRMED", alice.id],
      ["CANCELLED", admin.id],
    ]);
    expect(events.map((e) => e.id)).toEqual([...events.map((e) => e.id)].sort((a, b) => a - b));
    expect(events[0]?.at).toEqual(held.created_at);
    expect(Object.keys(events[0] ?? {}).sort()).toEqual(["actor_user_id", "at", "id", "status"]);
    await expect(getReservationHistory(t.db, { reservation_id: held.id }, asAdmin)).resolves.toEqual({
      events,
    });
    await expect(getReservationHistory(t.db, { reservation_id: held.id }, asBob)).rejects.toBeInstanceOf(
      ReservationNotFoundError,
    );
    await expect(
      getReservationHistory(t.db, { reservation_id: 2_000_000_000 }, asAlice),
    ).rejects.toBeInstanceOf(ReservationNotFoundError);
  });
});
