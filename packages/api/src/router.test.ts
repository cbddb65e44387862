import { randomBytes } from "node:crypto";
import { createDb } from "@eventforge/db";
import { createTestDatabase, type TestDatabase } from "@eventforge/db/testing";
import { type Actor, DomainError, type User } from "@eventforge/domain";
import {
  actorOf,
  seedCast,
  seedShow,
  seedUser,
  setHoldExpiry,
  settle,
  TEST_PASSWORD,
} from "@eventforge/domain/testing";
import { TRPCError } from "@trpc/server";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { createContextInner } from "./context.js";
import { createRateLimits, type RateLimits } from "./rate-limits.js";
import { createCaller } from "./root.js";

let t: TestDatabase;
const tokens = { secret: randomBytes(32), ttlSeconds: 3600 };
let admin: User;
let alice: User;
let bob: User;

// The limits of a server, in this file's database; sign-in failures lowered to 3 to test them.
let rateLimits: RateLimits;
const callerAs = (actor: Actor | null) =>
  createCaller(createContextInner({ db: t.db, tokens, rateLimits, actor }));
let anonymous: ReturnType<typeof callerAs>;
let asAdmin: ReturnType<typeof callerAs>;
let asAlice: ReturnType<typeof callerAs>;
let asBob: ReturnType<typeof callerAs>;

beforeAll(async () => {
  t = await createTestDatabase();
  rateLimits = createRateLimits(
    { kind: "postgres", db: t.db },
    {
      holdsPerMinute: 1_000,
      signupsPerHour: 1_000,
      loginsPerHour: 1_000,
      loginFailures: { points: 3, windowSeconds: 900 },
    },
  );
  ({ admin, alice, bob } = await seedCast(t.db));
  anonymous = callerAs(null);
  asAdmin = callerAs(actorOf(admin));
  asAlice = callerAs(actorOf(alice));
  asBob = callerAs(actorOf(bob));
});
afterAll(() => t.drop());

/** Runs a call that must fail and returns its tRPC code and domain reason. */
async function failure(call: Promise<unknown>): Promise<{ code: string; reason: string | undefined }> {
  try {
    await call;
  } catch (error) {
    expect(error).toBeInstanceOf(TRPCError);
    const e = error as TRPCError;
    return { code: e.code, reason: e.cause instanceof DomainError ? e.cause.reason : undefined };
  }
  throw new Error("expected the call to fail");
}

async function rowCount(table: "users" | "shows" | "seats" | "reservations"): Promise<number> {
  const row = await t.db
    .selectFrom(table)
    .select((eb) => eb.fn.countAll<string>().as("n"))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

describe("users.create and auth", () => {
  it("creates a customer and never returns the password hash", async () => {
    const user = await anonymous.users.create({
      name: " Carol ",
      phone_number: "+44 20 7946 0958",
      email: "Carol@Example.com",
      password: "a long passphrase",
    });
    expect(user).toMatchObject({ name: "Carol", email: "Carol@Example.com", role: "customer" });
    expect(Object.keys(user).sort()).toEqual(["created_at", "email", "id", "name", "phone_number", "role"]);
    const stored = await t.db
      .selectFrom("users")
      .select("password_hash")
      .where("id", "=", user.id)
      .executeTakeFirstOrThrow();
    expect(stored.password_hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/u);
  });

  it("refuses an email already taken, whatever its case", async () => {
    const before = await rowCount("users");
    const input = {
      name: "Dup",
      phone_number: "555 0101",
      email: alice.email.toUpperCase(),
      password: "12345678",
    };
    expect(await failure(anonymous.users.create(input))).toEqual({ code: "CONFLICT", reason: "EMAIL_TAKEN" });
    expect(await rowCount("users")).toBe(before);
  });

  it.each([
    [{ name: "", phone_number: "555 0101", email: "x@example.com", password: "12345678" }],
    [{ name: "X", phone_number: "call me", email: "x@example.com", password: "12345678" }],
    [{ name: "X", phone_number: "555 0101", email: "not-an-email", password: "12345678" }],
    [{ name: "X", phone_number: "555 0101", email: "x@example.com", password: "short" }],
    [{ name: "X", phone_number: "555 0101", email: "x@example.com", password: "12345678", role: "admin" }],
    [{ name: "a\u0000b", phone_number: "555 0101", email: "x@example.com", password: "12345678" }],
  ])("rejects invalid sign-up input %# with BAD_REQUEST", async (input) => {
    const before = await rowCount("users");
    expect((await failure(anonymous.users.create(input as never))).code).toBe("BAD_REQUEST");
    expect(await rowCount("users")).toBe(before);
  });

  it("logs in with a bearer token; every failure is just 'invalid credentials'", async () => {
    const session = await anonymous.auth.login({ email: alice.email.toUpperCase(), password: TEST_PASSWORD });
    expect(session).toMatchObject({ token_type: "bearer", expires_in: 3600, user: { id: alice.id } });
    expect(session.access_token.split(".")).toHaveLength(3);
    for (const credentials of [
      { email: alice.email, password: "wrong password" },
      { email: "nobody@example.com", password: TEST_PASSWORD },
    ]) {
      const error = await anonymous.auth.login(credentials).catch((e: unknown) => e as TRPCError);
      expect(error).toMatchObject({ code: "UNAUTHORIZED", message: "invalid credentials" });
    }
  });

  it("refuses sign-ins with 429 after repeated failures for one email, until a window passes", async () => {
    const carol = await seedUser(t.db, "customer", "Carol");
    const wrong = { email: carol.email, password: "not it" };
    for (let i = 0; i < 3; i++) {
      expect(await failure(anonymous.auth.login(wrong))).toEqual({
        code: "UNAUTHORIZED",
        reason: "INVALID_CREDENTIALS",
      });
    }
    // Even the right password is refused now: the guesser cannot tell.
    const right = { email: carol.email.toUpperCase(), password: TEST_PASSWORD };
    expect((await failure(anonymous.auth.login(right))).code).toBe("TOO_MANY_REQUESTS");
    // Other accounts are unaffected.
    await expect(
      anonymous.auth.login({ email: alice.email, password: TEST_PASSWORD }),
    ).resolves.toBeDefined();
  });

  it("a NUL in the email of a sign-in is invalid input, not a database error", async () => {
    expect((await failure(anonymous.auth.login({ email: "a\u0000@x.io", password: "x" }))).code).toBe(
      "BAD_REQUEST",
    );
  });

  it("auth.me returns the signed-in user and needs a signed-in caller", async () => {
    expect(await asAlice.auth.me()).toMatchObject({ id: alice.id, email: alice.email });
    expect(await failure(anonymous.auth.me())).toEqual({ code: "UNAUTHORIZED", reason: "NOT_AUTHENTICATED" });
  });

  it("health.ping answers a signed-in caller only", async () => {
    expect(await asAlice.health.ping()).toEqual({ ok: true });
    expect(await failure(anonymous.health.ping())).toEqual({
      code: "UNAUTHORIZED",
      reason: "NOT_AUTHENTICATED",
    });
  });
});

describe("shows", () => {
  it("only an admin creates shows; starts_at may be a Date or an ISO string with offset", async () => {
    const input = { title: "Hamlet", venue: "Globe", starts_at: "2031-05-01T19:30:00+01:00" };
    expect(await failure(anonymous.shows.create(input))).toEqual({
      code: "UNAUTHORIZED",
      reason: "NOT_AUTHENTICATED",
    });
    expect(await failure(asAlice.shows.create(input))).toEqual({ code: "FORBIDDEN", reason: "FORBIDDEN" });
    const show = await asAdmin.shows.create(input);
    expect(show.starts_at.toISOString()).toBe("2031-05-01T18:30:00.000Z");
    expect(await anonymous.shows.get({ show_id: show.id })).toEqual(show);
    const byDate = await asAdmin.shows.create({ ...input, starts_at: new Date("2031-06-01T00:00:00Z") });
    expect(byDate.starts_at.toISOString()).toBe("2031-06-01T00:00:00.000Z");
  });

  it.each([["2031-05-01T19:30:00"], ["tomorrow"], [""]])("rejects starts_at %j", async (startsAt) => {
    const error = await failure(asAdmin.shows.create({ title: "T", venue: "V", starts_at: startsAt }));
    expect(error.code).toBe("BAD_REQUEST");
  });

  it("lists shows by start time, a page at a time", async () => {
    // Two shows of its own, the later one made first, so the order is the list's doing.
    const later = await asAdmin.shows.create({
      title: "Later",
      venue: "V",
      starts_at: "2032-02-01T00:00:00Z",
    });
    const sooner = await asAdmin.shows.create({
      title: "Sooner",
      venue: "V",
      starts_at: "2032-01-01T00:00:00Z",
    });
    const list = await anonymous.shows.list({ limit: 1 });
    expect(list.items).toHaveLength(1);
    expect(list.next_cursor).toBe(1);
    const all = await anonymous.shows.list();
    const starts = all.items.map((s) => s.starts_at.getTime());
    expect(starts).toEqual([...starts].sort((a, b) => a - b));
    const ids = all.items.map((s) => s.id);
    expect(ids.indexOf(sooner.id)).toBeGreaterThanOrEqual(0);
    expect(ids.indexOf(sooner.id)).toBeLessThan(ids.indexOf(later.id));
    expect((await failure(anonymous.shows.list({ limit: 0 }))).code).toBe("BAD_REQUEST");
    expect(await failure(anonymous.shows.get({ show_id: 2_000_000_000 }))).toEqual({
      code: "NOT_FOUND",
      reason: "SHOW_NOT_FOUND",
    });
    expect((await failure(anonymous.shows.get({ show_id: 2 ** 31 }))).code).toBe("BAD_REQUEST");
  });
});

describe("seats", () => {
  it("normalizes labels and lists them in natural order", async () => {
    const { show } = await seedShow(t.db, []);
    const added = await asAdmin.seats.add({ show_id: show.id, seat_numbers: ["A10", "A1", "A2", " c5 "] });
    expect(added.seats.map((s) => s.seat_number)).toEqual(["A1", "A2", "A10", "C5"]);
    const listed = await anonymous.seats.list({ show_id: show.id });
    expect(listed.seats).toEqual(added.seats);
    expect(listed.seats.every((s) => s.show_id === show.id)).toBe(true);
  });

  it("the seed's example: [A1, A2, ' c5 '] → [A1, A2, C5]", async () => {
    const { show } = await seedShow(t.db, []);
    const { seats } = await asAdmin.seats.add({ show_id: show.id, seat_numbers: ["A1", "A2", " c5 "] });
    expect(seats.map((s) => s.seat_number)).toEqual(["A1", "A2", "C5"]);
  });

  it("rejects the whole request when a label repeats or exists, naming the labels", async () => {
    const { show } = await seedShow(t.db, ["A1"]);
    const before = await rowCount("seats");
    const repeated = asAdmin.seats.add({ show_id: show.id, seat_numbers: ["b1", "B1 ", "B2"] });
    await expect(repeated).rejects.toMatchObject({
      code: "CONFLICT",
      cause: { reason: "DUPLICATE_SEAT_LABEL", details: { labels: ["B1"], repeated: ["B1"], existing: [] } },
    });
    const existing = asAdmin.seats.add({ show_id: show.id, seat_numbers: ["B3", "a1"] });
    await expect(existing).rejects.toMatchObject({
      code: "CONFLICT",
      cause: { reason: "DUPLICATE_SEAT_LABEL", details: { labels: ["A1"], repeated: [], existing: ["A1"] } },
    });
    const both = asAdmin.seats.add({ show_id: show.id, seat_numbers: ["x1", "a1", "X1 "] });
    await expect(both).rejects.toMatchObject({
      cause: { details: { labels: ["A1", "X1"], repeated: ["X1"], existing: ["A1"] } },
    });
    expect(await rowCount("seats")).toBe(before);
  });

  it("concurrent additions of overlapping labels to one show: one succeeds whole, the others add nothing", async () => {
    const { show } = await seedShow(t.db, []);
    const batches = Array.from({ length: 8 }, (_, i) => [`K${i}`, "SHARED", `L${i}`]);
    const { ok } = await settle(
      batches.map((seat_numbers) => asAdmin.seats.add({ show_id: show.id, seat_numbers })),
    );
    expect(ok).toHaveLength(1);
    const { seats } = await anonymous.seats.list({ show_id: show.id });
    expect(seats).toHaveLength(3);
  });

  it("validates labels, permissions and the show", async () => {
    const { show } = await seedShow(t.db, []);
    const before = await rowCount("seats");
    for (const seat_numbers of [[], ["   "], ["A".repeat(33)], ["ok", "bad\u0007"]]) {
      expect((await failure(asAdmin.seats.add({ show_id: show.id, seat_numbers }))).code).toBe("BAD_REQUEST");
    }
    expect((await failure(asAlice.seats.add({ show_id: show.id, seat_numbers: ["A1"] }))).code).toBe(
      "FORBIDDEN",
    );
    expect(await failure(asAdmin.seats.add({ show_id: 2_000_000_000, seat_numbers: ["A1"] }))).toEqual({
      code: "NOT_FOUND",
      reason: "SHOW_NOT_FOUND",
    });
    expect(await rowCount("seats")).toBe(before);
    expect(await failure(anonymous.seats.list({ show_id: 2_000_000_000 }))).toEqual({
      code: "NOT_FOUND",
      reason: "SHOW_NOT_FOUND",
    });
    const { show: empty } = await seedShow(t.db, []);
    expect(await anonymous.seats.list({ show_id: empty.id })).toEqual({ seats: [] });
  });
});

describe("reservations and availability", () => {
  it("holds by seat id or by show and label, confirms, and shows it in availability", async () => {
    const { show, seats } = await seedShow(t.db, ["A1", "A2"]);
    const byId = await asAlice.reservations.hold({ seat_id: seats[0]?.id ?? 0, hold_minutes: 5 });
    const byLabel = await asBob.reservations.hold({ show_id: show.id, seat_number: " a2" });
    expect(byLabel).toMatchObject({ seat_id: seats[1]?.id, user_id: bob.id, status: "HELD" });
    const confirmed = await asAlice.reservations.confirm({ reservation_id: byId.id });
    expect(confirmed.status).toBe("CONFIRMED");
    const availability = await anonymous.availability.get({ show_id: show.id });
    expect(availability.seats.map((s) => [s.seat_number, s.status])).toEqual([
      ["A1", "CONFIRMED"],
      ["A2", "HELD"],
    ]);
    expect(availability.seats[1]?.hold_expiry).toEqual(byLabel.hold_expiry);
    expect(await asBob.reservations.get({ reservation_id: byLabel.id })).toEqual(byLabel);
  });

  it("maps every refusal to its code and reason", async () => {
    const { show, seats } = await seedShow(t.db, ["B1", "B2"]);
    const seat_id = seats[0]?.id ?? 0;
    const held = await asAlice.reservations.hold({ seat_id });
    expect(await failure(asBob.reservations.hold({ seat_id }))).toEqual({
      code: "CONFLICT",
      reason: "SEAT_TAKEN",
    });
    expect(await failure(anonymous.reservations.hold({ seat_id }))).toEqual({
      code: "UNAUTHORIZED",
      reason: "NOT_AUTHENTICATED",
    });
    expect(await failure(asBob.reservations.hold({ seat_id: seats[1]?.id ?? 0, user_id: alice.id }))).toEqual(
      {
        code: "FORBIDDEN",
        reason: "FORBIDDEN",
      },
    );
    expect(
      await failure(asAdmin.reservations.hold({ seat_id: seats[1]?.id ?? 0, user_id: 2_000_000_000 })),
    ).toEqual({ code: "NOT_FOUND", reason: "USER_NOT_FOUND" });
    expect(await failure(asBob.reservations.hold({ show_id: show.id, seat_number: "Z99" }))).toEqual({
      code: "NOT_FOUND",
      reason: "SEAT_NOT_FOUND",
    });
    expect(await failure(asBob.reservations.get({ reservation_id: held.id }))).toEqual({
      code: "NOT_FOUND",
      reason: "RESERVATION_NOT_FOUND",
    });
    await setHoldExpiry(t.db, held.id, -1);
    expect(await failure(asAlice.reservations.confirm({ reservation_id: held.id }))).toEqual({
      code: "CONFLICT",
      reason: "HOLD_EXPIRED",
    });
    const next = await asBob.reservations.hold({ seat_id });
    await asBob.reservations.confirm({ reservation_id: next.id });
    expect(await failure(asBob.reservations.release({ reservation_id: next.id }))).toEqual({
      code: "CONFLICT",
      reason: "INVALID_TRANSITION",
    });
    const started = await seedShow(t.db, ["S1"], -5);
    expect(await failure(asBob.reservations.hold({ seat_id: started.seats[0]?.id ?? 0 }))).toEqual({
      code: "CONFLICT",
      reason: "SHOW_STARTED",
    });
  });

  it.each([
    [{ seat_id: 1, hold_minutes: 0 }],
    [{ seat_id: 1, hold_minutes: 21 }],
    [{ seat_id: 1, hold_minutes: 1.5 }],
    [{ seat_id: -1 }],
    [{ seat_id: "1" }],
    [{}],
    [{ show_id: 1 }],
    [{ seat_id: 1, show_id: 1, seat_number: "A1" }],
    [{ show_id: 1, seat_number: "" }],
  ])("rejects hold input %j with BAD_REQUEST and writes nothing", async (input) => {
    const before = await rowCount("reservations");
    expect((await failure(asAlice.reservations.hold(input as never))).code).toBe("BAD_REQUEST");
    expect(await rowCount("reservations")).toBe(before);
  });
});

describe("unexpected failures", () => {
  it("an unreachable database is SERVICE_UNAVAILABLE (DATABASE_UNAVAILABLE), not a 500", async () => {
    const unreachable = createDb("postgres://nobody:nothing@127.0.0.1:1/nowhere", {
      connectionTimeoutMs: 500,
    });
    const caller = createCaller(createContextInner({ db: unreachable, tokens, actor: null }));
    expect(await failure(caller.shows.list())).toEqual({
      code: "SERVICE_UNAVAILABLE",
      reason: "DATABASE_UNAVAILABLE",
    });
    await unreachable.destroy();
  });

  it("are INTERNAL_SERVER_ERROR and keep their cause on the server side", async () => {
    // A real database without EventForge's tables.
    const empty = createDb(inject("eventforgePostgres").adminUrl);
    const caller = createCaller(createContextInner({ db: empty, tokens, actor: null }));
    const error = await caller.shows.list().catch((e: unknown) => e as TRPCError);
    expect(error).toBeInstanceOf(TRPCError);
    expect((error as TRPCError).code).toBe("INTERNAL_SERVER_ERROR");
    expect((error as TRPCError).cause).toMatchObject({ code: "42P01" });
    await empty.destroy();
  });
});
