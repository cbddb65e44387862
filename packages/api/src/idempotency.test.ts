import { randomBytes, randomUUID } from "node:crypto";
import { createTestDatabase, type TestDatabase } from "@eventforge/db/testing";
import { type Actor, purgeExpiredIdempotencyKeys, type User } from "@eventforge/domain";
import { actorOf, seedCast, seedShow, setHoldExpiry } from "@eventforge/domain/testing";
import { TRPCError } from "@trpc/server";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createContextInner } from "./context.js";
import { createCaller } from "./root.js";

// Idempotency keys through createCaller (docs/design.md, Idempotency keys): the same rules as over
// HTTP, without it.

let t: TestDatabase;
const tokens = { secret: randomBytes(32), ttlSeconds: 3600 };
let alice: User;
let bob: User;

beforeAll(async () => {
  t = await createTestDatabase();
  ({ alice, bob } = await seedCast(t.db));
});
afterAll(() => t.drop());

/** A caller whose request carries `key`; `headers` collects the response headers it sets. */
function callerWithKey(actor: Actor, key: string | undefined) {
  const headers = new Map<string, string>();
  const caller = createCaller(
    createContextInner({
      db: t.db,
      tokens,
      actor,
      idempotencyKey: key,
      setResponseHeader: (name, value) => headers.set(name, value),
    }),
  );
  return { caller, headers };
}

async function failure(call: Promise<unknown>) {
  try {
    await call;
  } catch (error) {
    expect(error).toBeInstanceOf(TRPCError);
    const e = error as TRPCError & { cause: { reason?: string; details?: unknown } };
    return { code: e.code, reason: e.cause?.reason, message: e.message, details: e.cause?.details };
  }
  throw new Error("expected the call to fail");
}

const rowsOf = async (user: User, key: string) =>
  Number(
    (
      await sql<{
        n: string;
      }>`SELECT count(*) AS n FROM idempotency_keys WHERE user_id = ${user.id} AND key = ${key}`.execute(t.db)
    ).rows[0]?.n,
  );
const holdsOn = async (seatId: number) =>
  Number(
    (await sql<{ n: string }>`SELECT count(*) AS n FROM reservations WHERE seat_id = ${seatId}`.execute(t.db))
      .rows[0]?.n,
  );

describe("idempotency keys through createCaller", () => {
  it("replays a hold: the same result, Idempotent-Replayed, one reservation and one record", async () => {
    const { seats } = await seedShow(t.db, ["A1"]);
    const seatId = seats[0]?.id as number;
    const key = randomUUID();
    const first = callerWithKey(actorOf(alice), key);
    const held = await first.caller.reservations.hold({ seat_id: seatId });
    expect(first.headers.has("Idempotent-Replayed")).toBe(false);
    // Released meanwhile: a replay must still answer the first outcome, not hold again.
    await callerWithKey(actorOf(alice), undefined).caller.reservations.release({ reservation_id: held.id });
    const again = callerWithKey(actorOf(alice), key);
    expect(await again.caller.reservations.hold({ seat_id: seatId })).toEqual(held);
    expect(again.headers.get("Idempotent-Replayed")).toBe("true");
    expect(await holdsOn(seatId)).toBe(1);
    expect(await rowsOf(alice, key)).toBe(1);
  });

  it("replays a domain error (409 SEAT_TAKEN) as it was, even after the seat is free", async () => {
    const { seats } = await seedShow(t.db, ["B1"]);
    const seatId = seats[0]?.id as number;
    const bobs = await callerWithKey(actorOf(bob), undefined).caller.reservations.hold({ seat_id: seatId });
    const key = randomUUID();
    const refused = await failure(
      callerWithKey(actorOf(alice), key).caller.reservations.hold({ seat_id: seatId }),
    );
    expect(refused).toMatchObject({ code: "CONFLICT", reason: "SEAT_TAKEN" });
    await callerWithKey(actorOf(bob), undefined).caller.reservations.release({ reservation_id: bobs.id });
    const again = callerWithKey(actorOf(alice), key);
    expect(await failure(again.caller.reservations.hold({ seat_id: seatId }))).toEqual(refused);
    expect(again.headers.get("Idempotent-Replayed")).toBe("true");
    expect(await holdsOn(seatId)).toBe(1);
  });

  it("commits a confirm's HOLD_EXPIRED outcome with its effect (the hold EXPIRED) and replays it", async () => {
    const { seats } = await seedShow(t.db, ["C1"]);
    const plain = callerWithKey(actorOf(alice), undefined).caller;
    const held = await plain.reservations.hold({ seat_id: seats[0]?.id as number });
    await setHoldExpiry(t.db, held.id, -1_000);
    const key = randomUUID();
    const lapsed = await failure(
      callerWithKey(actorOf(alice), key).caller.reservations.confirm({ reservation_id: held.id }),
    );
    expect(lapsed.reason).toBe("HOLD_EXPIRED");
    expect((await plain.reservations.get({ reservation_id: held.id })).status).toBe("EXPIRED");
    expect(
      await failure(
        callerWithKey(actorOf(alice), key).caller.reservations.confirm({ reservation_id: held.id }),
      ),
    ).toEqual(lapsed);
  });

  it("refuses the key for another input or another procedure with 422 IDEMPOTENCY_KEY_REUSED", async () => {
    const { seats } = await seedShow(t.db, ["D1", "D2"]);
    const key = randomUUID();
    const held = await callerWithKey(actorOf(alice), key).caller.reservations.hold({
      seat_id: seats[0]?.id as number,
    });
    const otherSeat = await failure(
      callerWithKey(actorOf(alice), key).caller.reservations.hold({ seat_id: seats[1]?.id as number }),
    );
    expect(otherSeat).toMatchObject({ code: "UNPROCESSABLE_CONTENT", reason: "IDEMPOTENCY_KEY_REUSED" });
    const otherProcedure = await failure(
      callerWithKey(actorOf(alice), key).caller.reservations.confirm({ reservation_id: held.id }),
    );
    expect(otherProcedure.reason).toBe("IDEMPOTENCY_KEY_REUSED");
    expect(await holdsOn(seats[1]?.id as number)).toBe(0);
    expect(
      (await callerWithKey(actorOf(alice), undefined).caller.reservations.get({ reservation_id: held.id }))
        .status,
    ).toBe("HELD");
  });

  it("10 concurrent requests with one key: one effect, the rest replays or 409 IDEMPOTENCY_KEY_IN_USE", async () => {
    const { seats } = await seedShow(t.db, ["E1", "E2", "E3"]);
    const key = randomUUID();
    const input = { seat_ids: seats.map((s) => s.id) };
    const callers = Array.from({ length: 10 }, () => callerWithKey(actorOf(alice), key));
    const results = await Promise.allSettled(
      callers.map(({ caller }) => caller.reservations.holdMany(input)),
    );
    const firsts = results.filter(
      (r, i) => r.status === "fulfilled" && !callers[i]?.headers.has("Idempotent-Replayed"),
    );
    expect(firsts.length).toBe(1); // one ran; every other success is a replay
    const ok = results.flatMap((r) => (r.status === "fulfilled" ? [r.value] : []));
    const reasons = results.flatMap((r) =>
      r.status === "rejected" ? [(r.reason as TRPCError & { cause: { reason: string } }).cause.reason] : [],
    );
    expect(ok.length).toBeGreaterThanOrEqual(1);
    for (const value of ok) expect(value).toEqual(ok[0]);
    expect(reasons.every((reason) => reason === "IDEMPOTENCY_KEY_IN_USE")).toBe(true);
    for (const seat of seats) expect(await holdsOn(seat.id)).toBe(1);
    expect(await rowsOf(alice, key)).toBe(1);
    console.log(`10 concurrent holdMany, one key: ${ok.length} answered, ${reasons.length} IN_USE`);
  });

  it("stores no 400: invalid input then a valid request with the same key runs", async () => {
    const { seats } = await seedShow(t.db, ["F1", "F2"]);
    const key = randomUUID();
    const caller = callerWithKey(actorOf(alice), key).caller;
    expect(
      (await failure(caller.reservations.hold({ seat_id: seats[0]?.id as number, hold_minutes: 99 }))).code,
    ).toBe("BAD_REQUEST");
    // A 400 of the service itself (seats of two shows) is not stored either.
    const { seats: elsewhere } = await seedShow(t.db, ["G1"]);
    const twoShows = await failure(
      caller.reservations.holdMany({ seat_ids: [seats[0]?.id as number, elsewhere[0]?.id as number] }),
    );
    expect(twoShows).toMatchObject({ code: "BAD_REQUEST", reason: "INVALID_INPUT" });
    expect(await rowsOf(alice, key)).toBe(0);
    const held = await caller.reservations.hold({ seat_id: seats[1]?.id as number });
    expect(held.status).toBe("HELD");
    expect(await rowsOf(alice, key)).toBe(1);
  });

  it("scopes keys to the user: Bob's request with Alice's key is his own", async () => {
    const { seats } = await seedShow(t.db, ["H1", "H2"]);
    const key = randomUUID();
    const alices = await callerWithKey(actorOf(alice), key).caller.reservations.hold({
      seat_id: seats[0]?.id as number,
    });
    const bobs = callerWithKey(actorOf(bob), key);
    const his = await bobs.caller.reservations.hold({ seat_id: seats[1]?.id as number });
    expect(his.user_id).toBe(bob.id);
    expect(his.id).not.toBe(alices.id);
    expect(bobs.headers.has("Idempotent-Replayed")).toBe(false);
  });

  it("refuses a bad key with 400 and writes nothing", async () => {
    const { seats } = await seedShow(t.db, ["J1"]);
    for (const bad of ["", "x".repeat(256), "tab\there", "new\nline", "nul\u0000", "space here", "é"]) {
      const refused = await failure(
        callerWithKey(actorOf(alice), bad).caller.reservations.hold({ seat_id: seats[0]?.id as number }),
      );
      expect(refused, JSON.stringify(bad)).toMatchObject({ code: "BAD_REQUEST", reason: "INVALID_INPUT" });
    }
    expect(await holdsOn(seats[0]?.id as number)).toBe(0);
    const longest = "k".repeat(255);
    expect(
      (
        await callerWithKey(actorOf(alice), longest).caller.reservations.hold({
          seat_id: seats[0]?.id as number,
        })
      ).status,
    ).toBe("HELD");
  });

  it("purges expired keys, and an expired key runs its request anew", async () => {
    const { seats } = await seedShow(t.db, ["K1", "K2"]);
    const key = randomUUID();
    const first = await callerWithKey(actorOf(alice), key).caller.reservations.hold({
      seat_id: seats[0]?.id as number,
    });
    await sql`UPDATE idempotency_keys SET created_at = created_at - interval '2 days', expires_at = statement_timestamp() - interval '1 second' WHERE key = ${key}`.execute(
      t.db,
    );
    const fresh = callerWithKey(actorOf(alice), key);
    const second = await fresh.caller.reservations.hold({ seat_id: seats[1]?.id as number });
    expect(second.id).not.toBe(first.id);
    expect(fresh.headers.has("Idempotent-Replayed")).toBe(false);

    await sql`UPDATE idempotency_keys SET created_at = created_at - interval '2 days', expires_at = statement_timestamp() - interval '1 second' WHERE user_id = ${alice.id}`.execute(
      t.db,
    );
    const purged = await purgeExpiredIdempotencyKeys(t.db, { batchSize: 2 });
    expect(purged).toBeGreaterThanOrEqual(1);
    expect(await rowsOf(alice, key)).toBe(0);
    const { rows } = await sql<{
      n: string;
    }>`SELECT count(*) AS n FROM idempotency_keys WHERE expires_at <= now()`.execute(t.db);
    expect(Number(rows[0]?.n)).toBe(0);
  });
});
