import { createTestDatabase, type TestDatabase } from "@eventforge/db/testing";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DomainError, HoldExpiredError, SeatTakenError } from "./errors.js";
import {
  confirmReservation,
  confirmReservations,
  holdSeat,
  holdSeats,
  releaseReservation,
} from "./reservations.js";
import {
  actorOf,
  seedCastWithActors,
  seedShow,
  seedUsers,
  setHoldExpiry,
  settle,
  storedReservation,
} from "./testing.js";
import type { Actor, User } from "./types.js";

// The re-hold rule, the hold cap, multi-seat holds and confirms (docs/design.md).

const capped = { maxHoldsPerShow: 10 };
const uncapped = { maxHoldsPerShow: 0 };
let t: TestDatabase;
let alice: User;
let admin: User;
let asAlice: Actor;
let asBob: Actor;
let asAdmin: Actor;

beforeAll(async () => {
  t = await createTestDatabase();
  ({ alice, admin, asAlice, asBob, asAdmin } = await seedCastWithActors(t.db));
});
afterAll(() => t.drop());

const labels = (prefix: string, count: number) =>
  Array.from({ length: count }, (_, i) => `${prefix}${i + 1}`);
const reasonsOf = (errors: unknown[]) => errors.map((e) => (e instanceof DomainError ? e.reason : String(e)));

/** Rows of both tables, to show that a refused call wrote nothing. */
async function written(): Promise<{ reservations: number; events: number }> {
  const { rows } = await sql<{ reservations: number; events: number }>`
    SELECT (SELECT count(*)::integer FROM reservations) AS reservations,
           (SELECT count(*)::integer FROM reservation_events) AS events
  `.execute(t.db);
  return rows[0] ?? { reservations: -1, events: -1 };
}

async function heldBy(userId: number, showId: number): Promise<number> {
  const { rows } = await sql<{ n: number }>`
    SELECT count(*)::integer AS n FROM reservations
    WHERE user_id = ${userId} AND show_id = ${showId} AND status = 'HELD' AND hold_expiry > statement_timestamp()
  `.execute(t.db);
  return rows[0]?.n ?? -1;
}

describe("re-holding your own seat", () => {
  it("returns your hold unchanged, by id or label, and writes nothing", async () => {
    const { show, seats } = await seedShow(t.db, ["R1"]);
    const seat = { seat_id: seats[0]?.id ?? 0 };
    const held = await holdSeat(t.db, { seat }, asAlice, capped);
    const before = await written();
    expect(await holdSeat(t.db, { seat }, asAlice, capped)).toEqual(held);
    expect(await holdSeat(t.db, { seat: { show_id: show.id, seat_number: " r1" } }, asAlice, capped)).toEqual(
      held,
    );
    expect(await holdSeat(t.db, { seat, user_id: alice.id }, asAdmin, capped)).toEqual(held);
    expect(await written()).toEqual(before);
  });

  it("SEAT_TAKEN for anyone else never carries the holder's reservation id; a seat you bought is taken", async () => {
    const { seats } = await seedShow(t.db, ["R2"]);
    const seat = { seat_id: seats[0]?.id ?? 0 };
    const held = await holdSeat(t.db, { seat }, asAlice, capped);
    const taken = (await holdSeat(t.db, { seat }, asBob, capped).catch((e: unknown) => e)) as SeatTakenError;
    expect(taken).toBeInstanceOf(SeatTakenError);
    expect(Object.keys(taken.details).sort()).toEqual(["held_until", "seat_id", "seat_number", "seats"]);
    await confirmReservation(t.db, { reservation_id: held.id }, asAlice);
    await expect(holdSeat(t.db, { seat }, asAlice, capped)).rejects.toBeInstanceOf(SeatTakenError);
  });

  it("10 concurrent holds of one seat by its one customer all return the same hold", async () => {
    const { seats } = await seedShow(t.db, ["R3"]);
    const seat = { seat_id: seats[0]?.id ?? 0 };
    const { ok, failed } = await settle(
      Array.from({ length: 10 }, () => holdSeat(t.db, { seat }, asBob, capped)),
    );
    expect(failed).toEqual([]);
    expect(new Set(ok.map((r) => r.id)).size).toBe(1);
  });

  it("re-holding works at the cap; your own lapsed hold is replaced by a new one", async () => {
    const { show, seats } = await seedShow(t.db, labels("R", 3));
    const policy = { maxHoldsPerShow: 2 };
    const [first, second, third] = seats.map((s) => ({ seat_id: s.id }));
    if (!first || !second || !third) throw new Error("no seats");
    const held = await holdSeat(t.db, { seat: first }, asAlice, policy);
    await holdSeat(t.db, { seat: second }, asAlice, policy);
    await expect(holdSeat(t.db, { seat: third }, asAlice, policy)).rejects.toMatchObject({
      reason: "HOLD_LIMIT_REACHED",
      details: { limit: 2, show_id: show.id },
    });
    expect(await holdSeat(t.db, { seat: first }, asAlice, policy)).toEqual(held);
    await setHoldExpiry(t.db, held.id, -1);
    const renewed = await holdSeat(t.db, { seat: first }, asAlice, policy);
    expect(renewed.id).not.toBe(held.id);
    expect((await storedReservation(t.db, held.id)).status).toBe("EXPIRED");
  });
});

describe("the hold cap", () => {
  it("20 concurrent holds by one customer: exactly the cap are HELD, the rest HOLD_LIMIT_REACHED", async () => {
    const { show, seats } = await seedShow(t.db, labels("C", 20));
    const [carol] = await seedUsers(t.db, 1);
    const asCarol = actorOf(carol as User);
    const { ok, failed } = await settle(
      seats.map((s) => holdSeat(t.db, { seat: { seat_id: s.id } }, asCarol, capped)),
    );
    expect(ok).toHaveLength(10);
    expect(reasonsOf(failed)).toEqual(Array(10).fill("HOLD_LIMIT_REACHED"));
    expect((failed[0] as DomainError).details).toEqual({ show_id: show.id, limit: 10 });
    expect(await heldBy(carol?.id ?? 0, show.id)).toBe(10);
  });

  it("a release, a confirm or a lapse frees a place; other shows and other users are not affected", async () => {
    const policy = { maxHoldsPerShow: 3 };
    const { show, seats } = await seedShow(t.db, labels("F", 8));
    const { seats: otherShow } = await seedShow(t.db, ["F1"]);
    const [dave] = await seedUsers(t.db, 1);
    const asDave = actorOf(dave as User);
    const ids = seats.map((s) => ({ seat_id: s.id }));
    const holds = [];
    for (const seat of ids.slice(0, 3)) holds.push(await holdSeat(t.db, { seat }, asDave, policy));
    const limit = { reason: "HOLD_LIMIT_REACHED" };
    await expect(holdSeat(t.db, { seat: ids[3] as never }, asDave, policy)).rejects.toMatchObject(limit);
    await holdSeat(t.db, { seat: { seat_id: otherShow[0]?.id ?? 0 } }, asDave, policy);
    await holdSeat(t.db, { seat: ids[3] as never }, asBob, policy);

    await releaseReservation(t.db, { reservation_id: holds[0]?.id ?? 0 }, asDave);
    await holdSeat(t.db, { seat: ids[4] as never }, asDave, policy);
    await expect(holdSeat(t.db, { seat: ids[5] as never }, asDave, policy)).rejects.toMatchObject(limit);
    await confirmReservation(t.db, { reservation_id: holds[1]?.id ?? 0 }, asDave);
    await holdSeat(t.db, { seat: ids[5] as never }, asDave, policy);
    await setHoldExpiry(t.db, holds[2]?.id ?? 0, -1);
    await holdSeat(t.db, { seat: ids[6] as never }, asDave, policy);
    expect((await storedReservation(t.db, holds[2]?.id ?? 0)).status).toBe("EXPIRED");
    expect(await heldBy(dave?.id ?? 0, show.id)).toBe(3);
  });

  it("an admin's holds for a customer count for the customer, not the admin", async () => {
    const policy = { maxHoldsPerShow: 2 };
    const { show, seats } = await seedShow(t.db, labels("A", 5));
    const [erin] = await seedUsers(t.db, 1);
    const erinId = erin?.id ?? 0;
    const ids = seats.map((s) => ({ seat_id: s.id }));
    await holdSeat(t.db, { seat: ids[0] as never, user_id: erinId }, asAdmin, policy);
    await holdSeat(t.db, { seat: ids[1] as never, user_id: erinId }, asAdmin, policy);
    await expect(
      holdSeat(t.db, { seat: ids[2] as never }, actorOf(erin as User), policy),
    ).rejects.toMatchObject({
      reason: "HOLD_LIMIT_REACHED",
    });
    await holdSeat(t.db, { seat: ids[2] as never }, asAdmin, policy);
    expect(await heldBy(erinId, show.id)).toBe(2);
  });

  it("cap 0 means no cap", async () => {
    const { show, seats } = await seedShow(t.db, labels("Z", 15));
    const [frank] = await seedUsers(t.db, 1);
    const { failed } = await settle(
      seats.map((s) => holdSeat(t.db, { seat: { seat_id: s.id } }, actorOf(frank as User), uncapped)),
    );
    expect(failed).toEqual([]);
    expect(await heldBy(frank?.id ?? 0, show.id)).toBe(15);
  });
});

describe("holdSeats (holdMany)", () => {
  it("holds seats together with one expiry and one event each, in the order named", async () => {
    const { show } = await seedShow(t.db, labels("M", 4));
    const { reservations } = await holdSeats(
      t.db,
      { seats: { show_id: show.id, seat_numbers: ["m3", "M1", " m2 "] }, hold_minutes: 5 },
      asAlice,
      capped,
    );
    expect(reservations).toHaveLength(3);
    expect(new Set(reservations.map((r) => r.hold_expiry.getTime())).size).toBe(1);
    const { rows } = await sql<{ seat_number: string }>`
      SELECT s.seat_number FROM seats s WHERE s.id = ANY(${reservations.map((r) => r.seat_id)}::integer[])
      ORDER BY array_position(${reservations.map((r) => r.seat_id)}::integer[], s.id)
    `.execute(t.db);
    expect(rows.map((r) => r.seat_number)).toEqual(["M3", "M1", "M2"]);
    const events = await t.db
      .selectFrom("reservation_events")
      .select(["status", "actor_user_id"])
      .where(
        "reservation_id",
        "in",
        reservations.map((r) => r.id),
      )
      .execute();
    expect(events).toEqual(Array(3).fill({ status: "HELD", actor_user_id: alice.id }));
  });

  it("returns seats you already hold unchanged, alongside the new holds", async () => {
    const { seats } = await seedShow(t.db, labels("U", 3));
    const mine = await holdSeat(t.db, { seat: { seat_id: seats[1]?.id ?? 0 } }, asAlice, capped);
    const { reservations } = await holdSeats(
      t.db,
      { seats: { seat_ids: seats.map((s) => s.id) } },
      asAlice,
      capped,
    );
    expect(reservations[1]).toEqual(mine);
    expect(reservations.map((r) => r.status)).toEqual(["HELD", "HELD", "HELD"]);
  });

  it("all or nothing: taken, unknown, two shows, repeated, 11 seats, past the cap — each writes nothing", async () => {
    const { show, seats } = await seedShow(t.db, labels("N", 12));
    const { seats: other } = await seedShow(t.db, ["N1"]);
    const ids = seats.map((s) => s.id);
    const bobs = await holdSeats(t.db, { seats: { seat_ids: [ids[1] ?? 0, ids[2] ?? 0] } }, asBob, capped);
    const before = await written();

    const taken = (await holdSeats(
      t.db,
      { seats: { show_id: show.id, seat_numbers: ["N1", "N2", "N3", "N4"] } },
      asAlice,
      capped,
    ).catch((e: unknown) => e)) as SeatTakenError;
    expect(taken).toBeInstanceOf(SeatTakenError);
    expect(taken.details.seats).toEqual(
      bobs.reservations.map((r, i) => ({
        seat_id: r.seat_id,
        seat_number: `N${i + 2}`,
        held_until: r.hold_expiry.toISOString(),
      })),
    );
    const refusals = [
      holdSeats(t.db, { seats: { show_id: show.id, seat_numbers: ["N1", "N99"] } }, asAlice, capped),
      holdSeats(t.db, { seats: { seat_ids: [ids[0] ?? 0, 2_000_000_000] } }, asAlice, capped),
      holdSeats(t.db, { seats: { seat_ids: [ids[0] ?? 0, other[0]?.id ?? 0] } }, asAlice, capped),
      holdSeats(t.db, { seats: { show_id: show.id, seat_numbers: ["N5", " n5"] } }, asAlice, capped),
      holdSeats(t.db, { seats: { seat_ids: [ids[0] ?? 0, ids[0] ?? 0] } }, asAlice, capped),
      holdSeats(t.db, { seats: { seat_ids: ids.slice(0, 11) } }, asAlice, uncapped),
      holdSeats(t.db, { seats: { seat_ids: [ids[3] ?? 0, ids[4] ?? 0, ids[5] ?? 0] } }, asAlice, {
        maxHoldsPerShow: 2,
      }),
    ];
    const { ok, failed } = await settle(refusals);
    expect(ok).toEqual([]);
    expect(reasonsOf(failed)).toEqual([
      "SEAT_NOT_FOUND",
      "SEAT_NOT_FOUND",
      "INVALID_INPUT",
      "INVALID_INPUT",
      "INVALID_INPUT",
      "INVALID_INPUT",
      "HOLD_LIMIT_REACHED",
    ]);
    expect((failed[0] as DomainError).details).toEqual({ show_id: show.id, seat_numbers: ["N99"] });
    expect(await written()).toEqual(before);
  });

  it("10 customers racing overlapping seat sets for 5 rounds: no partial hold, no deadlock, one holder a seat", async () => {
    const racers = (await seedUsers(t.db, 10)).map(actorOf);
    for (let round = 0; round < 5; round++) {
      const { seats } = await seedShow(t.db, labels("O", 14));
      const ids = seats.map((s) => s.id);
      // Customer i wants 3–5 seats starting at seat i: neighbours overlap, in both directions of
      // naming, so lock order matters.
      const wants = racers.map((_, i) => {
        const wanted = ids.slice(i, i + 3 + (i % 3));
        return i % 2 === 0 ? wanted : [...wanted].reverse();
      });
      const outcomes = await Promise.allSettled(
        racers.map((racer, i) => holdSeats(t.db, { seats: { seat_ids: wants[i] ?? [] } }, racer, capped)),
      );
      const heldSeats: number[] = [];
      for (const [i, outcome] of outcomes.entries()) {
        const racer = racers[i] as Actor;
        const { rows } = await sql<{ seat_id: number }>`
          SELECT seat_id FROM reservations
          WHERE user_id = ${racer.userId} AND seat_id = ANY(${ids}::integer[]) AND status = 'HELD'
        `.execute(t.db);
        if (outcome.status === "fulfilled") {
          expect(rows.map((r) => r.seat_id).sort()).toEqual([...(wants[i] ?? [])].sort());
          heldSeats.push(...rows.map((r) => r.seat_id));
        } else {
          expect(reasonsOf([outcome.reason])).toEqual(["SEAT_TAKEN"]);
          expect(rows).toEqual([]);
        }
      }
      expect(new Set(heldSeats).size).toBe(heldSeats.length);
      expect(heldSeats.length).toBeGreaterThan(0);
    }
  });

  it("expires lapsed holds of the seats it takes", async () => {
    const { seats } = await seedShow(t.db, labels("X", 2));
    const lapsed = await holdSeat(t.db, { seat: { seat_id: seats[0]?.id ?? 0 } }, asBob, capped);
    await setHoldExpiry(t.db, lapsed.id, -1);
    await holdSeats(t.db, { seats: { seat_ids: seats.map((s) => s.id) } }, asAlice, capped);
    expect((await storedReservation(t.db, lapsed.id)).status).toBe("EXPIRED");
  });
});

describe("confirmReservations (confirmMany)", () => {
  /** Alice's holds of three new seats (row `row` of a new show), their ids in seat order. */
  async function aliceHoldsThree(row: string): Promise<number[]> {
    const { seats } = await seedShow(t.db, labels(row, 3));
    const held = await holdSeats(t.db, { seats: { seat_ids: seats.map((s) => s.id) } }, asAlice, capped);
    return held.reservations.map((r) => r.id);
  }

  it("confirms all; already CONFIRMED ones count as confirmed; an admin may confirm a customer's", async () => {
    const ids = await aliceHoldsThree("K");
    await confirmReservation(t.db, { reservation_id: ids[0] ?? 0 }, asAlice);
    const confirmed = await confirmReservations(t.db, { reservation_ids: [...ids].reverse() }, asAdmin);
    expect(confirmed.reservations.map((r) => [r.id, r.status])).toEqual(
      [...ids].reverse().map((id) => [id, "CONFIRMED"]),
    );
    const actors = await t.db
      .selectFrom("reservation_events")
      .select(["reservation_id", "actor_user_id"])
      .where("reservation_id", "in", ids)
      .where("status", "=", "CONFIRMED")
      .orderBy("reservation_id")
      .execute();
    expect(actors.map((a) => a.actor_user_id)).toEqual([alice.id, admin.id, admin.id]);
  });

  it("one lapsed hold: none confirmed, that one EXPIRED, HOLD_EXPIRED names it", async () => {
    const ids = await aliceHoldsThree("L");
    await setHoldExpiry(t.db, ids[1] ?? 0, -1);
    const error = await confirmReservations(t.db, { reservation_ids: ids }, asAlice).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HoldExpiredError);
    expect((error as HoldExpiredError).details.reservation_ids).toEqual([ids[1]]);
    const statuses = await Promise.all(ids.map(async (id) => (await storedReservation(t.db, id)).status));
    expect(statuses).toEqual(["HELD", "EXPIRED", "HELD"]);
  });

  it("someone else's reservation is not found and nothing changes; repeats are refused", async () => {
    const { seats } = await seedShow(t.db, labels("P", 2));
    const mine = await holdSeat(t.db, { seat: { seat_id: seats[0]?.id ?? 0 } }, asAlice, capped);
    const bobs = await holdSeat(t.db, { seat: { seat_id: seats[1]?.id ?? 0 } }, asBob, capped);
    const before = await written();
    await expect(
      confirmReservations(t.db, { reservation_ids: [mine.id, bobs.id] }, asAlice),
    ).rejects.toMatchObject({ reason: "RESERVATION_NOT_FOUND", details: { reservation_id: bobs.id } });
    await expect(
      confirmReservations(t.db, { reservation_ids: [mine.id, mine.id] }, asAlice),
    ).rejects.toMatchObject({
      reason: "INVALID_INPUT",
    });
    expect(await written()).toEqual(before);
    expect((await storedReservation(t.db, mine.id)).status).toBe("HELD");
  });
});
