// End to end: the real server (HTTP, tRPC standalone adapter, real PostgreSQL) driven by the
// real client package over real HTTP.
import { createRateLimits, UNLIMITED_RATES } from "@eventforge/api";
import {
  createEventForgeClient,
  createEventForgeLinks,
  type EventForgeClient,
  type EventForgeLink,
  errorDataOf,
  getErrorReason,
  isEventForgeError,
  transformer,
} from "@eventforge/client";
import { createDb } from "@eventforge/db";
import type { TestDatabase } from "@eventforge/db/testing";
import { createLiveFeed, issueAccessToken } from "@eventforge/domain";
import { setHoldExpiry, settle } from "@eventforge/domain/testing";
import { observable } from "@trpc/server/observable";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { startHttpServer } from "./http.js";
import { createMetrics } from "./metrics.js";
import {
  TEST_ADMIN as ADMIN,
  TEST_JWT_SECRET as JWT_SECRET,
  startTestServer,
  type TestServer,
} from "./test-server.js";

const logger = pino({ level: "silent" });

let t: TestDatabase;
let app: TestServer;
let admin: EventForgeClient;
let adminToken: string;
let anonymous: EventForgeClient;

beforeAll(async () => {
  app = await startTestServer();
  t = app.t;
  anonymous = createEventForgeClient({ url: app.url });
  const session = await anonymous.auth.login.mutate(ADMIN);
  adminToken = session.access_token;
  admin = createEventForgeClient({ url: app.url, token: adminToken });
});
afterAll(async () => {
  await app?.stop();
});

let userCounter = 0;
/** Signs up a new customer over HTTP and returns a client signed in as them. */
async function newCustomer(): Promise<{ client: EventForgeClient; id: number }> {
  userCounter++;
  const email = `fan${userCounter}@example.com`;
  const password = "fan password 1";
  const user = await anonymous.users.create.mutate({
    name: `Fan ${userCounter}`,
    phone_number: "555 0100",
    email,
    password,
  });
  const { access_token } = await anonymous.auth.login.mutate({ email, password });
  return { client: createEventForgeClient({ url: app.url, token: access_token }), id: user.id };
}

async function newShow(labels: string[]) {
  const show = await admin.shows.create.mutate({
    title: "Gala",
    venue: "Main Hall",
    starts_at: new Date(Date.now() + 86_400_000),
  });
  const { seats } = await admin.seats.add.mutate({ show_id: show.id, seat_numbers: labels });
  return { show, seats };
}

/** The failure of a call: its reason and HTTP status as the client sees them. */
async function failureOf(call: Promise<unknown>) {
  const error = await call.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!isEventForgeError(error)) throw new Error(`expected a server error, got ${String(error)}`);
  return { reason: getErrorReason(error), status: error.data?.httpStatus, message: error.message };
}

describe("the seat-hold flow over HTTP", () => {
  it("sign up, log in, add seats, hold, confirm, read availability", async () => {
    const fan = await newCustomer();
    const me = await fan.client.auth.me.query();
    expect(me).toMatchObject({ id: fan.id, role: "customer" });
    const { show, seats } = await newShow(["A1", "A2", " c5 "]);
    expect(seats.map((s) => s.seat_number)).toEqual(["A1", "A2", "C5"]);
    expect((await anonymous.seats.list.query({ show_id: show.id })).seats).toEqual(seats);

    const hold = await fan.client.reservations.hold.mutate({
      show_id: show.id,
      seat_number: "a2",
      hold_minutes: 2,
    });
    expect(hold.status).toBe("HELD");
    expect(hold.hold_expiry).toBeInstanceOf(Date); // superjson keeps Dates Dates
    expect(hold.hold_expiry.getTime() - hold.created_at.getTime()).toBe(120_000);

    const availability = await anonymous.availability.get.query({ show_id: show.id });
    expect(availability.seats.map((s) => s.status)).toEqual(["AVAILABLE", "HELD", "AVAILABLE"]);
    expect(availability.as_of).toBeInstanceOf(Date);

    const confirmed = await fan.client.reservations.confirm.mutate({ reservation_id: hold.id });
    expect(confirmed.status).toBe("CONFIRMED");
    expect(await fan.client.reservations.confirm.mutate({ reservation_id: hold.id })).toEqual(confirmed);
    expect(await fan.client.reservations.get.query({ reservation_id: hold.id })).toEqual(confirmed);
    const after = await anonymous.availability.get.query({ show_id: show.id });
    expect(after.seats[1]).toMatchObject({ seat_number: "A2", status: "CONFIRMED", hold_expiry: null });
  });

  it("release is idempotent and frees the seat for the next customer", async () => {
    const [first, second] = await Promise.all([newCustomer(), newCustomer()]);
    const { seats } = await newShow(["R1"]);
    const seat_id = seats[0]?.id ?? 0;
    const hold = await first.client.reservations.hold.mutate({ seat_id });
    const released = await first.client.reservations.release.mutate({ reservation_id: hold.id });
    expect(released.status).toBe("CANCELLED");
    expect(await first.client.reservations.release.mutate({ reservation_id: hold.id })).toEqual(released);
    await expect(second.client.reservations.hold.mutate({ seat_id })).resolves.toMatchObject({
      status: "HELD",
    });
  });

  it("an expired hold cannot be confirmed: 409 HOLD_EXPIRED and the row becomes EXPIRED", async () => {
    const fan = await newCustomer();
    const { seats } = await newShow(["E1"]);
    const hold = await fan.client.reservations.hold.mutate({ seat_id: seats[0]?.id ?? 0 });
    await setHoldExpiry(t.db, hold.id, -1_000);
    expect(
      await failureOf(fan.client.reservations.confirm.mutate({ reservation_id: hold.id })),
    ).toMatchObject({
      reason: "HOLD_EXPIRED",
      status: 409,
    });
    expect((await fan.client.reservations.get.query({ reservation_id: hold.id })).status).toBe("EXPIRED");
  });
});

describe("races over HTTP", () => {
  it("50 customers hold one seat at once: one winner, 49 get 409 SEAT_TAKEN", async () => {
    const fans = await Promise.all(Array.from({ length: 50 }, () => newCustomer()));
    const { show, seats } = await newShow(["HOT1"]);
    const { ok: winners, failed: losers } = await settle(
      fans.map((fan) => fan.client.reservations.hold.mutate({ seat_id: seats[0]?.id ?? 0 })),
    );
    expect(winners).toHaveLength(1);
    expect(losers.map((e) => [getErrorReason(e), isEventForgeError(e) && e.data?.httpStatus])).toEqual(
      Array(49).fill(["SEAT_TAKEN", 409]),
    );
    // Typed by the hold's own errors: narrowing on the reason types the details.
    const failure = errorDataOf(losers[0], "reservations.hold");
    if (failure?.reason !== "SEAT_TAKEN") expect.fail(`expected SEAT_TAKEN, got ${failure?.reason}`);
    expect(failure.details).toEqual({
      seat_id: seats[0]?.id,
      seat_number: "HOT1",
      held_until: winners[0]?.hold_expiry.toISOString(),
      seats: [
        { seat_id: seats[0]?.id, seat_number: "HOT1", held_until: winners[0]?.hold_expiry.toISOString() },
      ],
    });
    expect(errorDataOf(losers[0], "reservations.confirm")).toBeUndefined();
    const availability = await anonymous.availability.get.query({ show_id: show.id });
    expect(availability.seats[0]).toMatchObject({ status: "HELD", hold_expiry: winners[0]?.hold_expiry });
  });
});

describe("errors on the wire", () => {
  it("carry a typed reason and the right HTTP status", async () => {
    const [owner, stranger] = await Promise.all([newCustomer(), newCustomer()]);
    const { show, seats } = await newShow(["W1", "W2"]);
    const hold = await owner.client.reservations.hold.mutate({ seat_id: seats[0]?.id ?? 0 });
    const cases: [() => Promise<unknown>, string | undefined, number][] = [
      [
        () => stranger.client.reservations.get.query({ reservation_id: hold.id }),
        "RESERVATION_NOT_FOUND",
        404,
      ],
      [
        () => stranger.client.reservations.confirm.mutate({ reservation_id: hold.id }),
        "RESERVATION_NOT_FOUND",
        404,
      ],
      [
        () => stranger.client.reservations.release.mutate({ reservation_id: hold.id }),
        "RESERVATION_NOT_FOUND",
        404,
      ],
      [
        () => stranger.client.shows.create.mutate({ title: "x", venue: "y", starts_at: new Date() }),
        "FORBIDDEN",
        403,
      ],
      [() => anonymous.reservations.hold.mutate({ seat_id: seats[1]?.id ?? 0 }), "NOT_AUTHENTICATED", 401],
      [() => admin.seats.add.mutate({ show_id: show.id, seat_numbers: ["w1"] }), "DUPLICATE_SEAT_LABEL", 409],
      [
        () =>
          anonymous.users.create.mutate({
            name: "a",
            phone_number: "555 0100",
            email: ADMIN.email,
            password: "12345678",
          }),
        "EMAIL_TAKEN",
        409,
      ],
      [
        () => anonymous.auth.login.mutate({ email: ADMIN.email, password: "nope" }),
        "INVALID_CREDENTIALS",
        401,
      ],
      [() => anonymous.availability.get.query({ show_id: 2_000_000_000 }), "SHOW_NOT_FOUND", 404],
      [
        () => owner.client.reservations.hold.mutate({ seat_id: seats[1]?.id ?? 0, hold_minutes: 30 }),
        "INVALID_INPUT",
        400,
      ],
    ];
    for (const [call, reason, status] of cases) {
      expect(await failureOf(call())).toMatchObject({ reason, status });
    }
  });

  it("a BAD_REQUEST carries the validation issues", async () => {
    const fan = await newCustomer();
    const error = await fan.client.reservations.hold
      .mutate({ seat_id: 1, hold_minutes: 0 })
      .catch((e: unknown) => e);
    expect(isEventForgeError(error) && error.data?.issues).toEqual([
      { path: ["hold_minutes"], message: "Too small: expected number to be >=1", code: "too_small" },
    ]);
    expect(isEventForgeError(error) && error.message).toBe(
      "invalid input: hold_minutes: Too small: expected number to be >=1",
    );
  });

  it("an expired or forged token is refused with its own reason", async () => {
    const fan = await newCustomer();
    const me = await fan.client.auth.me.query();
    const secret = new TextEncoder().encode(JWT_SECRET);
    const expired = await issueAccessToken({ secret, ttlSeconds: -10 }, { userId: me.id, role: "customer" });
    const forged = await issueAccessToken(
      { secret: new TextEncoder().encode("another-secret-of-at-least-32-chars!!"), ttlSeconds: 600 },
      { userId: me.id, role: "admin" },
    );
    const as = (token: string) => createEventForgeClient({ url: app.url, token });
    expect(await failureOf(as(expired.access_token).auth.me.query())).toMatchObject({
      reason: "TOKEN_EXPIRED",
      status: 401,
    });
    expect(await failureOf(as(forged.access_token).auth.me.query())).toMatchObject({
      reason: "INVALID_TOKEN",
      status: 401,
    });
    expect(await failureOf(as("not.a.jwt").auth.me.query())).toMatchObject({
      reason: "INVALID_TOKEN",
      status: 401,
    });
    // an unsigned token ("alg": "none") claiming to be an admin
    const header = Buffer.from(JSON.stringify({ alg: "none" })).toString("base64url");
    const claims = Buffer.from(
      JSON.stringify({ sub: String(me.id), role: "admin", iss: "eventforge", exp: 9e9 }),
    ).toString("base64url");
    expect(await failureOf(as(`${header}.${claims}.`).auth.me.query())).toMatchObject({
      reason: "INVALID_TOKEN",
    });
  });

  it("calls made together travel in one batched HTTP request", async () => {
    let requests = 0;
    const counting = createEventForgeClient({
      url: app.url,
      fetch: (input, init) => {
        requests++;
        return fetch(input, init);
      },
    });
    const { show } = await newShow(["B1"]);
    const [one, two, three] = await Promise.all([
      counting.shows.get.query({ show_id: show.id }),
      counting.seats.list.query({ show_id: show.id }),
      counting.availability.get.query({ show_id: show.id }),
    ]);
    expect(requests).toBe(1);
    expect([one.id, two.seats.length, three.seats.length]).toEqual([show.id, 1, 1]);
  });

  it("takes links of its own in front of the client's, and exports the transformer they speak", async () => {
    const seen: string[] = [];
    // A link of the caller's (a logger, say) that sees each call and its result on the way back.
    const recording: EventForgeLink =
      () =>
      ({ next, op }) =>
        observable((observer) =>
          next(op).subscribe({
            next(result) {
              seen.push(`${op.type} ${op.path}`);
              observer.next(result);
            },
            error: (error) => observer.error(error),
            complete: () => observer.complete(),
          }),
        );
    const { show, seats } = await newShow(["L1"]);
    const logged = createEventForgeClient({
      links: [recording, ...createEventForgeLinks({ url: app.url, token: adminToken })],
    });
    const hold = await logged.reservations.hold.mutate({ seat_id: (seats[0] as { id: number }).id });
    const map = await logged.availability.get.query({ show_id: show.id });
    expect(seen).toEqual(["mutation reservations.hold", "query availability.get"]);
    // A hold needs a signed-in user: the links carried the token.
    expect(hold).toMatchObject({ show_id: show.id, status: "HELD" });
    expect(hold.hold_expiry).toBeInstanceOf(Date);
    expect(map.seats).toMatchObject([{ seat_number: "L1", status: "HELD" }]);
    const wire = transformer.serialize({ at: hold.hold_expiry });
    expect(transformer.deserialize(JSON.parse(JSON.stringify(wire)))).toEqual({ at: hold.hold_expiry });
  });
});

describe("malformed HTTP requests", () => {
  const post = (path: string, body: string, headers: Record<string, string> = {}) =>
    fetch(`${app.url}${path}`, {
      method: "POST",
      headers: { "content-type": "application/json", ...headers },
      body,
    });

  /** Status and `data.reason` of a non-batched tRPC error response. */
  const outcome = async (response: Response) => {
    const body = (await response.json()) as { error?: { json?: { data?: { reason?: unknown } } } };
    return { status: response.status, reason: body.error?.json?.data?.reason };
  };

  it.each([
    ["a body that is not JSON", "/trpc/users.create", "{not json"],
    ["a JSON body of the wrong shape", "/trpc/users.create", '{"json": 42}'],
    ["an empty body", "/trpc/users.create", ""],
    ["a string id", "/trpc/seats.add", '{"json": {"show_id": "1", "seat_numbers": ["A1"]}}'],
    [
      "a NUL inside a name",
      "/trpc/users.create",
      '{"json": {"name": "a\\u0000b", "phone_number": "5550100", "email": "n@example.com", "password": "12345678"}}',
    ],
    [
      "a date PostgreSQL cannot store",
      "/trpc/shows.create",
      '{"json": {"title": "t", "venue": "v", "starts_at": "-100000-01-01T00:00:00.000Z"}, "meta": {"values": {"starts_at": ["Date"]}}}',
    ],
  ])("%s is a 400 INVALID_INPUT, never a 500", async (_name, path, body) => {
    const response = await post(path, body, { authorization: `Bearer ${adminToken}` });
    expect(await outcome(response)).toEqual({ status: 400, reason: "INVALID_INPUT" });
  });

  it("unknown procedures are 404 and a query cannot be POSTed", async () => {
    expect(await outcome(await post("/trpc/reservations.steal", "{}"))).toEqual({
      status: 404,
      reason: "PROCEDURE_NOT_FOUND",
    });
    expect(await outcome(await post("/trpc/shows.list", "{}"))).toEqual({
      status: 405,
      reason: "METHOD_NOT_SUPPORTED",
    });
    expect((await fetch(`${app.url}/elsewhere`)).status).toBe(404);
  });

  it("refuses a body over 1 MiB before parsing it", async () => {
    const huge = JSON.stringify({ json: { name: "x".repeat(2_000_000) } });
    expect(await outcome(await post("/trpc/users.create", huge))).toEqual({
      status: 413,
      reason: "PAYLOAD_TOO_LARGE",
    });
  });

  async function startServerOver(db: ReturnType<typeof createDb>) {
    const server = await startHttpServer({
      db,
      tokens: { secret: new TextEncoder().encode(JWT_SECRET), ttlSeconds: 60 },
      maxHoldsPerShow: 10,
      idempotencyTtlHours: 24,
      rateLimits: createRateLimits({ kind: "postgres", db }, UNLIMITED_RATES),
      live: createLiveFeed({ db }),
      host: "127.0.0.1",
      port: 0,
      logger,
      maxBatch: 10,
      trustProxyHops: 0,
      metrics: createMetrics(db),
      metricsToken: undefined,
    });
    return {
      url: server.url,
      close: async () => {
        server.stopAccepting();
        await server.drain(Date.now());
        await db.destroy();
      },
    };
  }

  it("an unexpected failure is a 500 that says nothing about its cause", async () => {
    // A real database without EventForge's tables: every query fails with "relation does not exist".
    const empty = createDb(inject("eventforgePostgres").adminUrl);
    const broken = await startServerOver(empty);
    try {
      const response = await fetch(`${broken.url}/trpc/shows.list`);
      expect(response.status).toBe(500);
      const text = await response.text();
      expect(text).toContain("internal server error");
      expect(text).not.toMatch(/relation|does not exist|42P01|stack|at /u);
    } finally {
      await broken.close();
    }
  });

  it("an unreachable database is a 503 DATABASE_UNAVAILABLE with Retry-After, on both surfaces", async () => {
    const unreachable = createDb("postgres://nobody:secret@127.0.0.1:1/nowhere", {
      connectionTimeoutMs: 500,
    });
    const broken = await startServerOver(unreachable);
    try {
      for (const path of ["/trpc/shows.list", "/shows"]) {
        const response = await fetch(`${broken.url}${path}`);
        expect(response.status, path).toBe(503);
        expect(Number(response.headers.get("retry-after")), path).toBeGreaterThanOrEqual(1);
        const text = await response.text();
        expect(text, path).toContain("DATABASE_UNAVAILABLE");
        expect(text, path).not.toMatch(/ECONNREFUSED|nowhere|secret|stack|at /u);
      }
      // What needs no database keeps working; readiness says why it is not ready.
      expect((await fetch(`${broken.url}/healthz`)).status).toBe(200);
      const ready = await fetch(`${broken.url}/readyz`);
      expect(ready.status).toBe(503);
      expect(await ready.json()).toEqual({ ready: false, reason: expect.any(String) });
    } finally {
      await broken.close();
    }
  });
});
