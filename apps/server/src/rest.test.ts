// End to end over the REST surface: plain JSON over real HTTP against the real server and real
// PostgreSQL, at the original EventForge README's paths.

import { connect } from "node:net";
import { setHoldExpiry, storedReservation } from "@eventforge/domain/testing";
import { validate } from "@readme/openapi-parser";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createResponseValidator } from "./openapi-responses.js";
import { startTestServer, TEST_ADMIN, type TestServer } from "./test-server.js";

let server: TestServer;
let adminToken: string;
/** Every response of this file is checked against the served /openapi.json. */
let validator: Awaited<ReturnType<typeof createResponseValidator>>;
/** Requests that are no operation of the document: only unknown paths and methods may be. */
const outsideTheDocument: string[] = [];

beforeAll(async () => {
  server = await startTestServer();
  validator = await createResponseValidator(
    (await (await fetch(`${server.url}/openapi.json`)).json()) as object,
  );
  adminToken = (await call("POST", "/auth/login", { body: TEST_ADMIN })).body.access_token;
});
afterAll(async () => {
  // The figure for the closing note of issue 16.
  console.log(`REST responses validated against /openapi.json: ${validator?.validated}`);
  await server?.stop();
});

// Response bodies are untyped JSON, checked field by field.
type Json = any;

interface CallOptions {
  body?: unknown;
  /** Sent as is, instead of `body` as JSON. */
  raw?: string;
  token?: string;
  headers?: Record<string, string>;
}

/** One REST call: status, headers and the parsed JSON body. */
async function call(method: string, path: string, options: CallOptions = {}) {
  const headers: Record<string, string> = { ...options.headers };
  if (options.body !== undefined) headers["content-type"] ??= "application/json";
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  const response = await fetch(`${server.url}${path}`, {
    method,
    headers,
    body: options.raw ?? (options.body === undefined ? undefined : JSON.stringify(options.body)),
  });
  const text = await response.text();
  const seen = {
    status: response.status,
    headers: response.headers,
    body: (text ? JSON.parse(text) : null) as Json,
  };
  const problems = validator.problemsOf({ method, path, ...seen });
  if (problems === null) outsideTheDocument.push(`${method} ${path} → ${seen.status}`);
  else expect(problems).toEqual([]);
  return seen;
}

/** A body-less request written byte by byte: no Content-Length and no Content-Type, as curl sends it. */
function bareRequest(method: string, path: string, headers: Record<string, string>) {
  const { hostname, port } = new URL(server.url);
  return new Promise<{ status: number; body: string }>((resolve, reject) => {
    const socket = connect(Number(port), hostname);
    let response = "";
    socket.setEncoding("utf8");
    socket.on("data", (chunk: string) => {
      response += chunk;
    });
    socket.on("end", () => {
      const [head = "", body = ""] = response.split("\r\n\r\n");
      resolve({ status: Number(head.split(" ")[1]), body });
    });
    socket.on("error", reject);
    const lines = Object.entries({ host: `${hostname}:${port}`, connection: "close", ...headers });
    // `connection: close`: the server ends the connection once it has answered.
    socket.write(`${method} ${path} HTTP/1.1\r\n${lines.map(([k, v]) => `${k}: ${v}\r\n`).join("")}\r\n`);
  });
}

let customerCount = 0;
/** Signs up and logs in a new customer through REST. */
async function newCustomer() {
  customerCount++;
  const credentials = { email: `rest.fan${customerCount}@example.com`, password: "fan password 1" };
  const created = await call("POST", "/users", {
    body: { name: `Fan ${customerCount}`, phone_number: "+1 555 0100", ...credentials },
  });
  expect(created.status).toBe(200);
  const login = await call("POST", "/auth/login", { body: credentials });
  expect(login.status).toBe(200);
  return { id: created.body.id as number, token: login.body.access_token as string };
}

async function newShow(labels: string[]) {
  const show = await call("POST", "/shows", {
    token: adminToken,
    body: { title: "Gala", venue: "Main Hall", starts_at: "2031-05-01T19:30:00+02:00" },
  });
  expect(show.status).toBe(200);
  const seats = await call("POST", `/shows/${show.body.id}/seats`, {
    token: adminToken,
    body: { seat_numbers: labels },
  });
  expect(seats.status).toBe(200);
  return { showId: show.body.id as number, seats: seats.body.seats as { id: number; seat_number: string }[] };
}

async function databaseNow(): Promise<Date> {
  const { rows } = await sql<{ now: Date }>`SELECT statement_timestamp() AS now`.execute(server.t.db);
  return rows[0]?.now ?? new Date(Number.NaN);
}

async function rowCounts() {
  const { rows } = await sql<Record<string, string>>`
    SELECT (SELECT count(*) FROM users) AS users, (SELECT count(*) FROM shows) AS shows,
           (SELECT count(*) FROM seats) AS seats, (SELECT count(*) FROM reservations) AS reservations,
           (SELECT max(updated_at) FROM reservations) AS last_change
  `.execute(server.t.db);
  return rows[0];
}

const ISO_WITH_OFFSET = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/u;

describe("the original EventForge flow over REST", () => {
  it("signs up, logs in, and never returns a password", async () => {
    const body = {
      name: "Ada",
      phone_number: "+44 20 7946 0000",
      email: "Ada@Example.com",
      password: "s3cret pass",
    };
    const created = await call("POST", "/users", { body });
    expect(created.status).toBe(200);
    expect(created.body).toEqual({
      id: expect.any(Number),
      name: "Ada",
      phone_number: "+44 20 7946 0000",
      email: "Ada@Example.com",
      role: "customer",
      created_at: expect.stringMatching(ISO_WITH_OFFSET),
    });
    const again = await call("POST", "/users", { body: { ...body, email: "ada@example.COM" } });
    expect(again.status).toBe(409);
    expect(again.body.data.reason).toBe("EMAIL_TAKEN");

    const login = await call("POST", "/auth/login", {
      body: { email: "ada@example.com", password: "s3cret pass" },
    });
    expect(login.status).toBe(200);
    expect(login.body).toMatchObject({ token_type: "bearer", expires_in: expect.any(Number) });
    expect(JSON.stringify(login.body)).not.toMatch(/password/u);
    const me = await call("GET", "/auth/me", { token: login.body.access_token });
    expect(me.body).toEqual(created.body);

    const wrong = await call("POST", "/auth/login", {
      body: { email: "ada@example.com", password: "nope nope" },
    });
    expect(wrong.status).toBe(401);
    expect(wrong.body).toMatchObject({
      message: "invalid credentials",
      data: { reason: "INVALID_CREDENTIALS" },
    });
  });

  it("normalizes seat labels, refuses duplicates with 409 and writes nothing", async () => {
    const { showId, seats } = await newShow(["A1", "A2", " c5 "]);
    expect(seats.map((seat) => seat.seat_number)).toEqual(["A1", "A2", "C5"]);

    const before = await rowCounts();
    const duplicate = await call("POST", `/shows/${showId}/seats`, {
      token: adminToken,
      body: { seat_numbers: ["B1", "a1", "b1 "] },
    });
    expect(duplicate.status).toBe(409);
    expect(duplicate.body.data).toMatchObject({
      reason: "DUPLICATE_SEAT_LABEL",
      details: { repeated: ["B1"], existing: ["A1"] },
    });
    expect(await rowCounts()).toEqual(before);

    const listed = await call("GET", `/shows/${showId}/seats`);
    expect(listed.body.seats).toEqual(seats.map((seat) => ({ ...seat, show_id: showId })));
  });

  it("lists and reads shows with dates as ISO-8601 strings with an offset", async () => {
    await newShow(["Y1"]);
    const { showId } = await newShow(["Z1"]);
    const show = await call("GET", `/shows/${showId}`);
    expect(show.body).toMatchObject({ id: showId, title: "Gala", starts_at: "2031-05-01T17:30:00.000Z" });
    expect(show.body.created_at).toMatch(ISO_WITH_OFFSET);
    const page = await call("GET", "/shows?limit=1");
    expect(page.status).toBe(200);
    expect(page.body.items).toHaveLength(1);
    expect(page.body.next_cursor).toBe(1);
    const next = await call("GET", `/shows?limit=1&cursor=${page.body.next_cursor}`);
    expect(next.body.items[0].id).not.toBe(page.body.items[0].id);
    expect((await call("GET", "/shows/2147483647")).body.data.reason).toBe("SHOW_NOT_FOUND");
  });

  it("holds with hold_expiry by database time, refuses a competing hold, confirms idempotently", async () => {
    const [alice, bob] = [await newCustomer(), await newCustomer()];
    const { showId, seats } = await newShow(["A1", "A2", "A10"]);
    const seatId = seats[0]?.id;

    const before = await databaseNow();
    const hold = await call("POST", `/reservations/${alice.id}/hold`, {
      token: alice.token,
      body: { seat_id: seatId, hold_minutes: 5 },
    });
    const after = await databaseNow();
    expect(hold.status).toBe(200);
    expect(hold.body).toMatchObject({ user_id: alice.id, seat_id: seatId, show_id: showId, status: "HELD" });
    const expiry = new Date(hold.body.hold_expiry).getTime();
    expect(expiry).toBeGreaterThanOrEqual(before.getTime() + 5 * 60_000);
    expect(expiry).toBeLessThanOrEqual(after.getTime() + 5 * 60_000);

    const competing = await call("POST", `/reservations/${bob.id}/hold`, {
      token: bob.token,
      body: { seat_id: seatId },
    });
    expect(competing.status).toBe(409);
    expect(competing.body.data).toMatchObject({ reason: "SEAT_TAKEN", details: { seat_number: "A1" } });

    const byLabel = await call("POST", `/reservations/${bob.id}/hold`, {
      token: bob.token,
      body: { show_id: showId, seat_number: " a10 " },
    });
    expect(byLabel.body).toMatchObject({ seat_id: seats[2]?.id, status: "HELD" });

    const availability = await call("GET", `/shows/${showId}/availability`);
    expect(availability.body.as_of).toMatch(ISO_WITH_OFFSET);
    expect(availability.body.seats).toEqual([
      { seat_id: seats[0]?.id, seat_number: "A1", status: "HELD", hold_expiry: hold.body.hold_expiry },
      { seat_id: seats[1]?.id, seat_number: "A2", status: "AVAILABLE", hold_expiry: null },
      { seat_id: seats[2]?.id, seat_number: "A10", status: "HELD", hold_expiry: byLabel.body.hold_expiry },
    ]);

    const confirmed = await call("POST", `/reservations/${hold.body.id}/confirm`, { token: alice.token });
    expect(confirmed.status).toBe(200);
    expect(confirmed.body.status).toBe("CONFIRMED");
    const again = await call("POST", `/reservations/${hold.body.id}/confirm`, { token: alice.token });
    expect(again.body).toEqual(confirmed.body);
    expect((await call("GET", `/reservations/${hold.body.id}`, { token: alice.token })).body).toEqual(
      confirmed.body,
    );
    // Confirmed is final for its owner.
    const release = await call("POST", `/reservations/${hold.body.id}/release`, { token: alice.token });
    expect(release.status).toBe(409);
    expect(release.body.data.reason).toBe("INVALID_TRANSITION");
  });

  it("releases idempotently, and the seat is free again", async () => {
    const [alice, bob] = [await newCustomer(), await newCustomer()];
    const { seats } = await newShow(["R1"]);
    const hold = await call("POST", `/reservations/${alice.id}/hold`, {
      token: alice.token,
      body: { seat_id: seats[0]?.id },
    });
    const released = await call("POST", `/reservations/${hold.body.id}/release`, { token: alice.token });
    expect(released.body.status).toBe("CANCELLED");
    const again = await call("POST", `/reservations/${hold.body.id}/release`, { token: alice.token });
    expect(again.body).toEqual(released.body);
    const next = await call("POST", `/reservations/${bob.id}/hold`, {
      token: bob.token,
      body: { seat_id: seats[0]?.id },
    });
    expect(next.body.status).toBe("HELD");
  });

  it("an expired hold cannot be confirmed: 409 HOLD_EXPIRED and the row becomes EXPIRED", async () => {
    const alice = await newCustomer();
    const { seats } = await newShow(["E1"]);
    const hold = await call("POST", `/reservations/${alice.id}/hold`, {
      token: alice.token,
      body: { seat_id: seats[0]?.id },
    });
    await setHoldExpiry(server.t.db, hold.body.id, -1_000);
    const confirm = await call("POST", `/reservations/${hold.body.id}/confirm`, { token: alice.token });
    expect(confirm.status).toBe(409);
    expect(confirm.body.data.reason).toBe("HOLD_EXPIRED");
    expect((await storedReservation(server.t.db, hold.body.id)).status).toBe("EXPIRED");
    expect((await call("GET", `/reservations/${hold.body.id}`, { token: alice.token })).body.status).toBe(
      "EXPIRED",
    );
  });

  it("of 20 customers racing for one seat over REST, exactly one wins", async () => {
    const racers = await Promise.all(Array.from({ length: 20 }, () => newCustomer()));
    const { seats } = await newShow(["RACE"]);
    const results = await Promise.all(
      racers.map((racer) =>
        call("POST", `/reservations/${racer.id}/hold`, {
          token: racer.token,
          body: { seat_id: seats[0]?.id },
        }),
      ),
    );
    expect(results.filter((r) => r.status === 200)).toHaveLength(1);
    const losers = results.filter((r) => r.status !== 200);
    expect(losers).toHaveLength(19);
    for (const loser of losers) expect([loser.status, loser.body.data.reason]).toEqual([409, "SEAT_TAKEN"]);
  });
});

describe("auth on REST", () => {
  it("401 without a token or with a bad one, 403 for a customer's admin call, 404 for another's reservation", async () => {
    const [alice, bob] = [await newCustomer(), await newCustomer()];
    const { seats } = await newShow(["P1"]);
    const show = { title: "T", venue: "V", starts_at: "2031-01-01T00:00:00Z" };

    const anonymous = await call("POST", "/shows", { body: show });
    expect([anonymous.status, anonymous.body.data.reason]).toEqual([401, "NOT_AUTHENTICATED"]);
    const forged = await call("GET", "/auth/me", { token: `${alice.token}x` });
    expect([forged.status, forged.body.data.reason]).toEqual([401, "INVALID_TOKEN"]);
    const notBearer = await call("GET", "/auth/me", { headers: { authorization: `Basic ${alice.token}` } });
    expect(notBearer.status).toBe(401);
    const customer = await call("POST", "/shows", { body: show, token: alice.token });
    expect([customer.status, customer.body.data.reason]).toEqual([403, "FORBIDDEN"]);
    const forSomeoneElse = await call("POST", `/reservations/${bob.id}/hold`, {
      token: alice.token,
      body: { seat_id: seats[0]?.id },
    });
    expect([forSomeoneElse.status, forSomeoneElse.body.data.reason]).toEqual([403, "FORBIDDEN"]);

    const hold = await call("POST", `/reservations/${alice.id}/hold`, {
      token: alice.token,
      body: { seat_id: seats[0]?.id },
    });
    for (const [method, path] of [
      ["GET", `/reservations/${hold.body.id}`],
      ["POST", `/reservations/${hold.body.id}/confirm`],
      ["POST", `/reservations/${hold.body.id}/release`],
    ] as const) {
      const response = await call(method, path, { token: bob.token });
      expect([response.status, response.body.data.reason]).toEqual([404, "RESERVATION_NOT_FOUND"]);
    }
    expect((await storedReservation(server.t.db, hold.body.id)).status).toBe("HELD");

    // An admin may hold for another user.
    const { seats: more } = await newShow(["P2"]);
    const forBob = await call("POST", `/reservations/${bob.id}/hold`, {
      token: adminToken,
      body: { seat_id: more[0]?.id },
    });
    expect(forBob.body).toMatchObject({ user_id: bob.id, status: "HELD" });
  });
});

describe("malformed requests are 4xx with a reason, never a 500, and change nothing", () => {
  const tooManyLabels = Array.from({ length: 10_001 }, (_, i) => `X${i}`);
  // [route, method, path, options, expected status]
  const cases: [string, string, string, CallOptions, number][] = [
    [
      "users: not JSON",
      "POST",
      "/users",
      { raw: "{not json", headers: { "content-type": "application/json" } },
      400,
    ],
    [
      "users: form body",
      "POST",
      "/users",
      { raw: "name=x", headers: { "content-type": "application/x-www-form-urlencoded" } },
      415,
    ],
    ["users: text body", "POST", "/users", { raw: "hello", headers: { "content-type": "text/plain" } }, 415],
    [
      "users: empty body",
      "POST",
      "/users",
      { raw: "", headers: { "content-type": "application/json" } },
      400,
    ],
    ["users: an array", "POST", "/users", { body: ["Ada"] }, 400],
    ["users: null", "POST", "/users", { body: null }, 400],
    ["users: a string", "POST", "/users", { body: "Ada" }, 400],
    [
      "users: bad email",
      "POST",
      "/users",
      { body: { name: "A", phone_number: "5550100", email: "no", password: "12345678" } },
      400,
    ],
    [
      "users: NUL in name",
      "POST",
      "/users",
      { body: { name: "a\u0000b", phone_number: "5550100", email: "n@example.com", password: "12345678" } },
      400,
    ],
    [
      "users: unknown field",
      "POST",
      "/users",
      {
        body: {
          name: "A",
          phone_number: "5550100",
          email: "u@example.com",
          password: "12345678",
          role: "admin",
        },
      },
      400,
    ],
    ["login: no password", "POST", "/auth/login", { body: { email: "a@example.com" } }, 400],
    ["login: number email", "POST", "/auth/login", { body: { email: 5, password: "x" } }, 400],
    ["me: garbage token", "GET", "/auth/me", { headers: { authorization: "Bearer not.a.token" } }, 401],
    [
      "shows: bad date",
      "POST",
      "/shows",
      { token: "ADMIN", body: { title: "T", venue: "V", starts_at: "tomorrow" } },
      400,
    ],
    [
      "shows: date without offset",
      "POST",
      "/shows",
      { token: "ADMIN", body: { title: "T", venue: "V", starts_at: "2031-01-01T10:00:00" } },
      400,
    ],
    [
      "shows: year 99999",
      "POST",
      "/shows",
      { token: "ADMIN", body: { title: "T", venue: "V", starts_at: "+099999-01-01T00:00:00Z" } },
      400,
    ],
    [
      "shows: blank title",
      "POST",
      "/shows",
      { token: "ADMIN", body: { title: "  ", venue: "V", starts_at: "2031-01-01T00:00:00Z" } },
      400,
    ],
    ["shows list: limit 0", "GET", "/shows?limit=0", {}, 400],
    ["shows list: limit abc", "GET", "/shows?limit=abc", {}, 400],
    ["shows list: limit 1.5", "GET", "/shows?limit=1.5", {}, 400],
    ["shows list: cursor -1", "GET", "/shows?cursor=-1", {}, 400],
    ["shows list: unknown parameter", "GET", "/shows?sort=title", {}, 400],
    ["show: id abc", "GET", "/shows/abc", {}, 400],
    ["show: id 0", "GET", "/shows/0", {}, 400],
    ["show: id too large", "GET", "/shows/99999999999", {}, 400],
    ["show: id 1e3", "GET", "/shows/1e3x", {}, 400],
    ["seats add: empty list", "POST", "/shows/1/seats", { token: "ADMIN", body: { seat_numbers: [] } }, 400],
    [
      "seats add: blank label",
      "POST",
      "/shows/1/seats",
      { token: "ADMIN", body: { seat_numbers: ["  "] } },
      400,
    ],
    [
      "seats add: label too long",
      "POST",
      "/shows/1/seats",
      { token: "ADMIN", body: { seat_numbers: ["X".repeat(33)] } },
      400,
    ],
    [
      "seats add: not a list",
      "POST",
      "/shows/1/seats",
      { token: "ADMIN", body: { seat_numbers: "A1" } },
      400,
    ],
    ["seats add: bare array body", "POST", "/shows/1/seats", { token: "ADMIN", body: ["A1"] }, 400],
    [
      "seats add: 10,001 labels",
      "POST",
      "/shows/1/seats",
      { token: "ADMIN", body: { seat_numbers: tooManyLabels } },
      400,
    ],
    [
      "seats add: unknown show",
      "POST",
      "/shows/2147483647/seats",
      { token: "ADMIN", body: { seat_numbers: ["A1"] } },
      404,
    ],
    ["seats list: id abc", "GET", "/shows/abc/seats", {}, 400],
    ["availability: id -1", "GET", "/shows/-1/availability", {}, 400],
    ["availability: unknown show", "GET", "/shows/2147483647/availability", {}, 404],
    ["hold: user abc", "POST", "/reservations/abc/hold", { token: "ADMIN", body: { seat_id: 1 } }, 400],
    ["hold: no seat", "POST", "/reservations/1/hold", { token: "ADMIN", body: {} }, 400],
    [
      "hold: seat twice",
      "POST",
      "/reservations/1/hold",
      { token: "ADMIN", body: { seat_id: 1, show_id: 1, seat_number: "A1" } },
      400,
    ],
    [
      "hold: label without show",
      "POST",
      "/reservations/1/hold",
      { token: "ADMIN", body: { seat_number: "A1" } },
      400,
    ],
    [
      "hold: 21 minutes",
      "POST",
      "/reservations/1/hold",
      { token: "ADMIN", body: { seat_id: 1, hold_minutes: 21 } },
      400,
    ],
    ["hold: boolean seat", "POST", "/reservations/1/hold", { token: "ADMIN", body: { seat_id: true } }, 400],
    [
      "hold: unknown seat",
      "POST",
      "/reservations/1/hold",
      { token: "ADMIN", body: { seat_id: 2147483647 } },
      404,
    ],
    ["hold: anonymous", "POST", "/reservations/1/hold", { body: { seat_id: 1 } }, 401],
    ["confirm: id abc", "POST", "/reservations/abc/confirm", { token: "ADMIN" }, 400],
    ["confirm: unknown", "POST", "/reservations/2147483647/confirm", { token: "ADMIN" }, 404],
    ["release: id 1.5", "POST", "/reservations/1.5/release", { token: "ADMIN" }, 400],
    [
      "release: unknown field",
      "POST",
      "/reservations/1/release",
      { token: "ADMIN", body: { force: true } },
      400,
    ],
    ["get: id 0", "GET", "/reservations/0", { token: "ADMIN" }, 400],
    [
      "an oversized body",
      "POST",
      "/users",
      {
        raw: JSON.stringify({ name: "x".repeat(2_000_000) }),
        headers: { "content-type": "application/json" },
      },
      413,
    ],
    ["an unknown route", "GET", "/tickets", {}, 404],
    ["a wrong method", "GET", "/users", {}, 405],
    ["another wrong method", "DELETE", "/shows/1", {}, 405],
  ];

  it.each(cases)("%s (%s %s)", async (_name, method, path, options, status) => {
    const before = await rowCounts();
    const token = options.token === "ADMIN" ? adminToken : options.token;
    const response = await call(method, path, { ...options, token });
    expect(response.status).toBe(status);
    expect(response.body.data.httpStatus).toBe(status);
    expect(response.body.data.reason).toMatch(/^[A-Z_]+$/u);
    expect(response.body.data.reason).not.toBe("INTERNAL");
    expect(await rowCounts()).toEqual(before);
  });

  it("explains invalid input with the zod issues", async () => {
    const response = await call("POST", "/shows", {
      token: adminToken,
      body: { title: "T", venue: "V", starts_at: "tomorrow" },
    });
    expect(response.body.data.reason).toBe("INVALID_INPUT");
    expect(response.body.data.issues).toEqual([expect.objectContaining({ path: ["starts_at"] })]);
  });

  it("a wrong method says which methods the path has", async () => {
    expect((await call("GET", "/users")).headers.get("allow")).toBe("POST");
  });
});

describe("request details REST clients differ in", () => {
  it("accepts a JSON content type with a charset, and a body-less POST without one", async () => {
    const alice = await newCustomer();
    const { seats } = await newShow(["C1"]);
    const hold = await call("POST", `/reservations/${alice.id}/hold`, {
      token: alice.token,
      raw: JSON.stringify({ seat_id: seats[0]?.id }),
      headers: { "content-type": "Application/JSON; charset=utf-8" },
    });
    expect(hold.status).toBe(200);
    const confirm = await call("POST", `/reservations/${hold.body.id}/confirm`, { token: alice.token });
    expect(confirm.body.status).toBe("CONFIRMED");
    // What `curl -X POST` sends: neither a content type nor a length.
    const bare = await bareRequest("POST", `/reservations/${hold.body.id}/release`, {
      authorization: `Bearer ${adminToken}`,
    });
    expect(bare.status).toBe(200);
    expect(JSON.parse(bare.body).status).toBe("CANCELLED");
  });

  it("numbers in paths and query strings do not loosen the tRPC inputs", async () => {
    const { showId } = await newShow(["N1"]);
    expect((await call("GET", `/shows/${showId}/seats`)).status).toBe(200);
    // Had the adapter switched the shared schemas to coercion, tRPC would now take a string id.
    const input = encodeURIComponent(JSON.stringify({ json: { show_id: String(showId) } }));
    const trpc = await fetch(`${server.url}/trpc/seats.list?input=${input}`);
    expect(trpc.status).toBe(400);
  });
});

describe("GET /openapi.json", () => {
  it("is a valid OpenAPI 3.1 document of every REST route, its errors and its security", async () => {
    const { status, body: document } = await call("GET", "/openapi.json");
    expect(status).toBe(200);
    const result = await validate(structuredClone(document));
    expect(result).toMatchObject({ valid: true, warnings: [], specification: "OpenAPI" });
    expect(document.openapi).toBe("3.1.0");

    const routes = Object.entries(document.paths as Record<string, Record<string, Json>>).flatMap(
      ([path, operations]) => Object.keys(operations).map((method) => `${method.toUpperCase()} ${path}`),
    );
    expect(routes.sort()).toEqual(
      [
        "POST /users",
        "POST /auth/login",
        "GET /auth/me",
        "POST /shows",
        "GET /shows",
        "GET /shows/{show_id}",
        "POST /shows/{show_id}/seats",
        "GET /shows/{show_id}/seats",
        "GET /shows/{show_id}/availability",
        "POST /reservations/{user_id}/hold",
        "POST /reservations/{reservation_id}/confirm",
        "POST /reservations/{reservation_id}/release",
        "GET /reservations/{reservation_id}",
        "POST /reservations/{user_id}/hold-many",
        "POST /reservations/confirm-many",
        "GET /reservations/{reservation_id}/history",
        "GET /reservations",
        "GET /shows/{show_id}/availability/events",
      ].sort(),
    );
    expect(document.components.securitySchemes.bearer).toMatchObject({ type: "http", scheme: "bearer" });
    expect(document.info.license).toEqual({ name: "MIT", identifier: "MIT" });
    const hold = document.paths["/reservations/{user_id}/hold"].post;
    expect(hold.security).toEqual([{ bearer: [] }]);
    expect(Object.keys(hold.responses)).toEqual([
      "200",
      "400",
      "401",
      "403",
      "404",
      "409",
      "413",
      "415",
      "422",
      "429",
      "500",
      "503",
    ]);
    expect(hold.responses["422"].description).toBe("IDEMPOTENCY_KEY_REUSED");
    expect(hold.responses["429"].headers).toHaveProperty("Retry-After.required", true);
    expect(hold.responses["503"].headers).toHaveProperty("Retry-After.required", true);
    // The hold's 409 is its service's conflicts and no other, each with its own details.
    const conflict = hold.responses["409"].content["application/json"].schema.properties.data;
    expect(Object.keys(conflict.discriminator.mapping).sort()).toEqual(
      ["HOLD_LIMIT_REACHED", "SEAT_TAKEN", "SHOW_STARTED", "IDEMPOTENCY_KEY_IN_USE"].sort(),
    );
    const seatTaken = document.components.schemas["ErrorData.SeatTaken"].properties;
    expect(seatTaken.reason.const).toBe("SEAT_TAKEN");
    expect(seatTaken.details.required).toEqual(["seat_id", "seat_number", "held_until", "seats"]);
    expect(hold.responses["404"].description).toBe("USER_NOT_FOUND, SEAT_NOT_FOUND");
    // Exactly the two forms of naming a seat, nothing else.
    const body = hold.requestBody.content["application/json"].schema;
    expect(body.oneOf.map((form: Json) => [form.required, form.additionalProperties])).toEqual([
      [["seat_id"], false],
      [["show_id", "seat_number"], false],
    ]);
    expect(document.paths["/users"].post.security).toEqual([]);
    expect(JSON.stringify(document)).not.toContain(String(Number.MAX_SAFE_INTEGER));
    // Every mutation that honours an idempotency key documents the header and the replay marker.
    for (const [path, method] of [
      ["/reservations/{user_id}/hold", "post"],
      ["/reservations/{user_id}/hold-many", "post"],
      ["/reservations/{reservation_id}/confirm", "post"],
      ["/reservations/{reservation_id}/release", "post"],
      ["/reservations/confirm-many", "post"],
    ] as const) {
      const operation = document.paths[path][method];
      const header = operation.parameters.find(
        (p: Json) => p.in === "header" && p.name === "Idempotency-Key",
      );
      expect(header?.schema?.type, path).toBe("string");
      expect(header?.required ?? false, path).toBe(false);
      expect(header?.description, path).toContain("Idempotent-Replayed: true");
    }
    const list = document.paths["/reservations"].get;
    expect(list.parameters.map((p: Json) => `${p.in} ${p.name}`).sort()).toEqual(
      ["query cursor", "query limit", "query show_id", "query status", "query user_id"].sort(),
    );
    const availability = document.paths["/shows/{show_id}/availability"].get;
    expect(availability.parameters.map((p: Json) => `${p.in} ${p.name}`).sort()).toEqual(
      ["path show_id", "query cursor", "query limit", "query status"].sort(),
    );
    expect(document.components.schemas.Reservation.properties.hold_expiry).toEqual({
      type: "string",
      format: "date-time",
    });
  });
});

describe("multi-seat holds, confirms, history and the re-hold rule over REST", () => {
  it("hold-many, confirm-many and history; holding your own seat again returns it", async () => {
    const { showId, seats } = await newShow(["H1", "H2", "H3"]);
    const fan = await newCustomer();
    const rival = await newCustomer();
    const held = await call("POST", `/reservations/${fan.id}/hold-many`, {
      token: fan.token,
      body: { show_id: showId, seat_numbers: ["h1", "H2"], hold_minutes: 4 },
    });
    expect(held.status).toBe(200);
    const [first, second] = held.body.reservations as Json[];
    expect([first.seat_id, second.seat_id]).toEqual([seats[0]?.id, seats[1]?.id]);
    expect(first.hold_expiry).toBe(second.hold_expiry);

    const again = await call("POST", `/reservations/${fan.id}/hold`, {
      token: fan.token,
      body: { seat_id: first.seat_id },
    });
    expect(again).toMatchObject({ status: 200, body: first });
    const before = await rowCounts();
    const taken = await call("POST", `/reservations/${rival.id}/hold-many`, {
      token: rival.token,
      body: { seat_ids: [seats[2]?.id, first.seat_id] },
    });
    expect(taken.status).toBe(409);
    expect(taken.body.data.reason).toBe("SEAT_TAKEN");
    expect(taken.body.data.details.seats).toEqual([
      { seat_id: first.seat_id, seat_number: "H1", held_until: first.hold_expiry },
    ]);
    expect(JSON.stringify(taken.body)).not.toContain(`"reservation_id"`);
    const bad = await Promise.all([
      call("POST", `/reservations/${fan.id}/hold-many`, { token: fan.token, body: { seat_ids: [] } }),
      call("POST", `/reservations/${fan.id}/hold-many`, {
        token: fan.token,
        body: { seat_ids: seats.map((s) => s.id), show_id: showId },
      }),
      call("POST", `/reservations/${fan.id}/hold-many`, {
        token: fan.token,
        body: { seat_ids: Array.from({ length: 11 }, (_, i) => i + 1) },
      }),
      call("POST", `/reservations/${fan.id}/hold-many`, {
        token: fan.token,
        body: { show_id: showId, seat_numbers: ["H3", " h3"] },
      }),
      call("POST", "/reservations/confirm-many", {
        token: fan.token,
        body: { reservation_ids: [first.id, first.id] },
      }),
    ]);
    expect(bad.map((r) => [r.status, r.body.data.reason])).toEqual(Array(5).fill([400, "INVALID_INPUT"]));
    expect(await rowCounts()).toEqual(before);

    const notYours = await call("POST", "/reservations/confirm-many", {
      token: rival.token,
      body: { reservation_ids: [first.id] },
    });
    expect(notYours).toMatchObject({ status: 404, body: { data: { reason: "RESERVATION_NOT_FOUND" } } });
    const confirmed = await call("POST", "/reservations/confirm-many", {
      token: fan.token,
      body: { reservation_ids: [second.id, first.id] },
    });
    expect(confirmed.status).toBe(200);
    expect(confirmed.body.reservations.map((r: Json) => [r.id, r.status])).toEqual([
      [second.id, "CONFIRMED"],
      [first.id, "CONFIRMED"],
    ]);

    const history = await call("GET", `/reservations/${first.id}/history`, { token: fan.token });
    expect(history.status).toBe(200);
    expect(history.body.events.map((e: Json) => [e.status, e.actor_user_id])).toEqual([
      ["HELD", fan.id],
      ["CONFIRMED", fan.id],
    ]);
    expect(history.body.events[0].at).toBe(first.created_at);
    const hidden = await call("GET", `/reservations/${first.id}/history`, { token: rival.token });
    expect(hidden).toMatchObject({ status: 404, body: { data: { reason: "RESERVATION_NOT_FOUND" } } });
    const asAdmin = await call("GET", `/reservations/${first.id}/history`, { token: adminToken });
    expect(asAdmin.body).toEqual(history.body);
  });

  it("confirm-many with one lapsed hold confirms none and names it", async () => {
    const { showId } = await newShow(["L1", "L2"]);
    const fan = await newCustomer();
    const held = await call("POST", `/reservations/${fan.id}/hold-many`, {
      token: fan.token,
      body: { show_id: showId, seat_numbers: ["L1", "L2"] },
    });
    const [live, lapsed] = held.body.reservations as Json[];
    await setHoldExpiry(server.t.db, lapsed.id, -1);
    const refused = await call("POST", "/reservations/confirm-many", {
      token: fan.token,
      body: { reservation_ids: [live.id, lapsed.id] },
    });
    expect(refused.status).toBe(409);
    expect(refused.body.data).toMatchObject({
      reason: "HOLD_EXPIRED",
      details: { reservation_ids: [lapsed.id] },
    });
    expect((await storedReservation(server.t.db, live.id)).status).toBe("HELD");
    expect((await storedReservation(server.t.db, lapsed.id)).status).toBe("EXPIRED");
  });
});

describe("the responses of this file against /openapi.json", () => {
  it("finds a response that breaks the document (the validator is not vacuous)", () => {
    const headers = new Headers({ "content-type": "application/json" });
    const seatTaken = { seat_id: 1, seat_number: "A1", held_until: null, seats: [] };
    const conflict = (data: Json) => ({
      method: "POST",
      path: "/reservations/1/hold",
      status: 409,
      headers,
      body: { message: "m", code: "CONFLICT", data: { issues: null, httpStatus: 409, ...data } },
    });
    expect(validator.problemsOf(conflict({ reason: "SEAT_TAKEN", details: seatTaken }))).toEqual([]);
    // A reason the hold cannot produce, and SEAT_TAKEN without its held_until.
    expect(validator.problemsOf(conflict({ reason: "EMAIL_TAKEN", details: {} }))).not.toEqual([]);
    const { held_until: _, ...withoutExpiry } = seatTaken;
    expect(validator.problemsOf(conflict({ reason: "SEAT_TAKEN", details: withoutExpiry }))).not.toEqual([]);
    // A 429 without its Retry-After.
    const tooMany = {
      message: "m",
      code: "TOO_MANY_REQUESTS",
      data: {
        reason: "TOO_MANY_REQUESTS",
        details: { limit: "holds", points: 1, window_seconds: 60, retry_after: 5 },
        issues: null,
        httpStatus: 429,
      },
    };
    expect(
      validator.problemsOf({
        method: "POST",
        path: "/reservations/1/hold",
        status: 429,
        headers,
        body: tooMany,
      }),
    ).toEqual([expect.stringContaining("retry-after")]);
  });

  it("left out only requests that are no operation: unknown paths and methods, the document itself", () => {
    const others = outsideTheDocument.filter(
      (request) => !/ → 40[45]$/u.test(request) && request !== "GET /openapi.json → 200",
    );
    expect(others).toEqual([]);
    expect(validator.validated).toBeGreaterThan(0); // at least the sign-in of beforeAll
  });
});
