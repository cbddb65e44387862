import { createTestDatabase, type TestDatabase } from "@eventforge/db/testing";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getAvailability } from "./availability.js";
import { DomainError } from "./errors.js";
import {
  confirmReservation,
  holdSeat,
  holdSeats,
  listReservations,
  releaseReservation,
} from "./reservations.js";
import { addSeats } from "./seats.js";
import { seedCastWithActors, seedShow, setHoldExpiry } from "./testing.js";
import type { Actor, User } from "./types.js";

// Units of work that compose, reservations.list and availability's filters and pages (docs/design.md).

const policy = { maxHoldsPerShow: 0 };
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

const reasonOf = async (call: Promise<unknown>) => {
  try {
    await call;
  } catch (error) {
    if (error instanceof DomainError) return error.reason;
    throw error;
  }
  throw new Error("expected a domain error");
};

const reservationCount = async (showId: number) =>
  Number(
    (await sql<{ n: string }>`SELECT count(*) AS n FROM reservations WHERE show_id = ${showId}`.execute(t.db))
      .rows[0]?.n,
  );

describe("services given a transaction join it", () => {
  it("a lost hold, a refused label and a release leave the caller's transaction usable, and all roll back together", async () => {
    const { show, seats } = await seedShow(t.db, ["A1", "A2"]);
    const [a1, a2] = seats;
    if (!a1 || !a2) throw new Error("seeded two seats");
    await holdSeat(t.db, { seat: { seat_id: a1.id } }, asBob, policy);

    const rollback = new Error("roll back");
    await expect(
      t.db.transaction().execute(async (tx) => {
        // Each fails on purpose inside the transaction; the next statement must still run.
        expect(await reasonOf(holdSeat(tx, { seat: { seat_id: a1.id } }, asAlice, policy))).toBe(
          "SEAT_TAKEN",
        );
        expect(await reasonOf(addSeats(tx, { show_id: show.id, seat_numbers: ["A1"] }))).toBe(
          "DUPLICATE_SEAT_LABEL",
        );
        const held = await holdSeat(tx, { seat: { seat_id: a2.id } }, asAlice, policy);
        const released = await releaseReservation(tx, { reservation_id: held.id }, asAlice);
        expect(released.status).toBe("CANCELLED");
        await addSeats(tx, { show_id: show.id, seat_numbers: ["A3"] });
        expect(await reservationCount(show.id)).toBe(1); // outside: only Bob's hold is committed
        throw rollback;
      }),
    ).rejects.toBe(rollback);

    // Nothing of the transaction is left: no A3, no hold of Alice, no events of hers.
    const { seats: after } = await getAvailability(t.db, show.id);
    expect(after.map((s) => s.seat_number)).toEqual(["A1", "A2"]);
    expect(await reservationCount(show.id)).toBe(1);
  });

  it("a hold and its confirm commit together in the caller's transaction", async () => {
    const { seats } = await seedShow(t.db, ["B1"]);
    const seatId = seats[0]?.id as number;
    const confirmed = await t.db.transaction().execute(async (tx) => {
      const held = await holdSeat(tx, { seat: { seat_id: seatId } }, asAlice, policy);
      return confirmReservation(tx, { reservation_id: held.id }, asAlice);
    });
    expect(confirmed.status).toBe("CONFIRMED");
    expect(await reasonOf(holdSeat(t.db, { seat: { seat_id: seatId } }, asBob, policy))).toBe("SEAT_TAKEN");
  });
});

describe("reservations.list", () => {
  it("pages through your own reservations newest first, each exactly once, with filters", async () => {
    const labels = Array.from({ length: 7 }, (_, i) => `L${i + 1}`);
    const { show, seats } = await seedShow(t.db, labels);
    const { show: other, seats: otherSeats } = await seedShow(t.db, ["M1"]);
    const { reservations } = await holdSeats(
      t.db,
      { seats: { seat_ids: seats.slice(0, 5).map((s) => s.id) } },
      asAlice,
      policy,
    );
    const confirmed = await confirmReservation(
      t.db,
      { reservation_id: reservations[0]?.id as number },
      asAlice,
    );
    const lapsed = reservations[1]?.id as number;
    await setHoldExpiry(t.db, lapsed, -1_000);
    const elsewhere = await holdSeat(
      t.db,
      { seat: { seat_id: otherSeats[0]?.id as number } },
      asAlice,
      policy,
    );
    await holdSeat(t.db, { seat: { seat_id: seats[5]?.id as number } }, asBob, policy);

    const mine = [...reservations.map((r) => r.id), elsewhere.id].sort((a, b) => b - a);
    const seen: number[] = [];
    let cursor: number | undefined;
    let pages = 0;
    do {
      const page = await listReservations(t.db, { limit: 2, cursor }, asAlice);
      expect(page.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.items.map((r) => r.id));
      cursor = page.next_cursor ?? undefined;
      pages++;
    } while (cursor !== undefined);
    // Alice's reservations of earlier tests come after these (older); these come first, in order.
    expect(seen.slice(0, mine.length)).toEqual(mine);
    expect(new Set(seen).size).toBe(seen.length);
    expect(pages).toBe(Math.ceil(seen.length / 2));
    const all = await listReservations(t.db, { limit: 100 }, asAlice);
    expect(all.items.map((r) => r.id)).toEqual(seen);
    expect(all.next_cursor).toBeNull();
    expect(all.items.every((r) => r.user_id === alice.id)).toBe(true);

    const ofShow = await listReservations(t.db, { show_id: show.id }, asAlice);
    expect(ofShow.items.map((r) => r.id)).toEqual(reservations.map((r) => r.id).sort((a, b) => b - a));
    const expired = await listReservations(t.db, { status: "EXPIRED", show_id: show.id }, asAlice);
    expect(expired.items.map((r) => r.id)).toEqual([lapsed]); // lapsed reads EXPIRED before any sweep
    const held = await listReservations(t.db, { status: "HELD", show_id: show.id }, asAlice);
    expect(held.items.map((r) => r.id)).toEqual(
      reservations
        .slice(2)
        .map((r) => r.id)
        .sort((a, b) => b - a),
    );
    const bought = await listReservations(t.db, { status: "CONFIRMED" }, asAlice);
    expect(bought.items.map((r) => r.id)).toContain(confirmed.id);
    expect(bought.items.every((r) => r.status === "CONFIRMED")).toBe(true);
    expect((await listReservations(t.db, { show_id: other.id, status: "CANCELLED" }, asAlice)).items).toEqual(
      [],
    );
  });

  it("an admin may name a user; a customer naming another gets FORBIDDEN; another's list is theirs alone", async () => {
    const { seats } = await seedShow(t.db, ["N1"]);
    const bobs = await holdSeat(t.db, { seat: { seat_id: seats[0]?.id as number } }, asBob, policy);
    const forBob = await listReservations(t.db, { user_id: bob.id }, asAdmin);
    expect(forBob.items[0]?.id).toBe(bobs.id);
    expect(forBob.items.every((r) => r.user_id === bob.id)).toBe(true);
    expect(await reasonOf(listReservations(t.db, { user_id: bob.id }, asAlice))).toBe("FORBIDDEN");
    expect(
      (await listReservations(t.db, { user_id: alice.id }, asAlice)).items.map((r) => r.id),
    ).not.toContain(bobs.id);
    // An admin's own list is the admin's reservations, not everyone's.
    expect((await listReservations(t.db, {}, asAdmin)).items.every((r) => r.user_id === admin.id)).toBe(true);
  });
});

describe("availability filters, pages and counts", () => {
  it("returns each seat exactly once across pages, in natural order, for every filter", async () => {
    const labels = ["A1", "A2", "A10", "B1", "B2", "B10", "B11", "C1", "C2", "C3", "C20"];
    const { show, seats } = await seedShow(t.db, labels);
    const id = (label: string) => seats.find((s) => s.seat_number === label)?.id as number;
    await holdSeats(t.db, { seats: { seat_ids: [id("A2"), id("B10"), id("C3")] } }, asAlice, policy);
    const sold = await holdSeat(t.db, { seat: { seat_id: id("B1") } }, asBob, policy);
    await confirmReservation(t.db, { reservation_id: sold.id }, asBob);
    const lapsed = await holdSeat(t.db, { seat: { seat_id: id("C20") } }, asBob, policy);
    await setHoldExpiry(t.db, lapsed.id, -1_000);

    const whole = await getAvailability(t.db, show.id);
    expect(whole.seats.map((s) => s.seat_number)).toEqual(labels);
    expect(whole.next_cursor).toBeNull();
    expect(whole.counts).toEqual({ total: 11, available: 7, held: 3, confirmed: 1 });

    for (const status of [undefined, "AVAILABLE", "HELD", "CONFIRMED"] as const) {
      const expected = whole.seats.filter((s) => status === undefined || s.status === status);
      for (const limit of [1, 2, 3, 1000]) {
        const seen: typeof whole.seats = [];
        let cursor: number | undefined;
        do {
          const page = await getAvailability(t.db, show.id, { status, limit, cursor });
          expect(page.seats.length).toBeLessThanOrEqual(limit);
          expect(page.counts).toEqual(whole.counts); // the whole show's, on every page
          seen.push(...page.seats);
          cursor = page.next_cursor ?? undefined;
        } while (cursor !== undefined);
        expect(seen, `status ${status}, limit ${limit}`).toEqual(expected);
      }
    }
    const held = await getAvailability(t.db, show.id, { status: "HELD" });
    expect(held.seats.map((s) => s.seat_number)).toEqual(["A2", "B10", "C3"]);
    expect(held.seats.every((s) => s.hold_expiry instanceof Date)).toBe(true);
  });

  it("answers an empty page of an existing show, 404 for an unknown show, 400 for a cursor of another show", async () => {
    const { show } = await seedShow(t.db, ["D1"]);
    const { show: empty } = await seedShow(t.db, []);
    const { seats: others } = await seedShow(t.db, ["E1"]);
    const none = await getAvailability(t.db, show.id, { status: "CONFIRMED", limit: 5 });
    expect(none.seats).toEqual([]);
    expect(none.next_cursor).toBeNull();
    expect(none.counts).toEqual({ total: 1, available: 1, held: 0, confirmed: 0 });
    expect((await getAvailability(t.db, empty.id, { limit: 5 })).counts.total).toBe(0);
    expect(await reasonOf(getAvailability(t.db, 2_000_000_000, { limit: 5 }))).toBe("SHOW_NOT_FOUND");
    expect(
      await reasonOf(getAvailability(t.db, show.id, { limit: 5, cursor: others[0]?.id as number })),
    ).toBe("INVALID_INPUT");
  });
});
