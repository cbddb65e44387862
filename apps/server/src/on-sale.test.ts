// The on-sale API over real HTTP (docs/design.md: Availability, Procedures, Idempotency keys):
// idempotency keys on REST and through the typed client, reservations.list and paged availability,
// against the real server.

import { randomUUID } from "node:crypto";
import { createEventForgeClient, getErrorReason, withIdempotencyKey } from "@eventforge/client";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, TEST_ADMIN, type TestServer } from "./test-server.js";

let server: TestServer;
let adminToken: string;

beforeAll(async () => {
  server = await startTestServer();
  adminToken = (await call("POST", "/auth/login", { body: TEST_ADMIN })).json.access_token;
});
afterAll(async () => {
  await server?.stop();
});

// Response bodies are untyped JSON, checked field by field.
type Json = any;

/** One REST call: status, headers, the body's exact text and its JSON. */
async function call(
  method: string,
  path: string,
  options: { body?: unknown; token?: string; key?: string } = {},
) {
  const headers: Record<string, string> = {};
  if (options.body !== undefined) headers["content-type"] = "application/json";
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  if (options.key !== undefined) headers["idempotency-key"] = options.key;
  const response = await fetch(`${server.url}${path}`, {
    method,
    headers,
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
  const text = await response.text();
  return {
    status: response.status,
    replayed: response.headers.get("idempotent-replayed"),
    text,
    json: (text ? JSON.parse(text) : null) as Json,
  };
}

let customers = 0;
async function newCustomer() {
  customers++;
  const credentials = { email: `onsale.fan${customers}@example.com`, password: "fan password 1" };
  const created = await call("POST", "/users/", {
    body: { name: `Fan ${customers}`, phone_number: "+1 555 0100", ...credentials },
  });
  expect(created.status).toBe(200);
  const login = await call("POST", "/auth/login", { body: credentials });
  return { id: created.json.id as number, token: login.json.access_token as string };
}

async function newShow(labels: string[]) {
  const show = await call("POST", "/shows/", {
    token: adminToken,
    body: { title: "On sale", venue: "Arena", starts_at: "2031-05-01T19:30:00+02:00" },
  });
  const seats = await call("POST", `/shows/${show.json.id}/seats`, {
    token: adminToken,
    body: { seat_numbers: labels },
  });
  return { showId: show.json.id as number, seats: seats.json.seats as { id: number; seat_number: string }[] };
}

const count = async (query: ReturnType<typeof sql<{ n: string }>>) =>
  Number((await query.execute(server.t.db)).rows[0]?.n);
const holdsOn = (seatId: number) =>
  count(sql<{ n: string }>`SELECT count(*) AS n FROM reservations WHERE seat_id = ${seatId}`);
const keyRows = (userId: number) =>
  count(sql<{ n: string }>`SELECT count(*) AS n FROM idempotency_keys WHERE user_id = ${userId}`);

describe("Idempotency-Key over REST", () => {
  it("replays a hold byte for byte with Idempotent-Replayed: true, one reservation and one record", async () => {
    const { seats } = await newShow(["A1"]);
    const fan = await newCustomer();
    const key = randomUUID();
    const request = { token: fan.token, key, body: { seat_id: seats[0]?.id } };
    const first = await call("POST", `/reservations/${fan.id}/hold`, request);
    expect(first.status).toBe(200);
    expect(first.replayed).toBeNull();
    const again = await call("POST", `/reservations/${fan.id}/hold`, request);
    expect(again.status).toBe(200);
    expect(again.replayed).toBe("true");
    expect(again.text).toBe(first.text);
    expect(await holdsOn(seats[0]?.id as number)).toBe(1);
    expect(await keyRows(fan.id)).toBe(1);

    // A confirm and a release replay the same way, and change nothing the second time.
    const confirmKey = randomUUID();
    const path = `/reservations/${first.json.id}/confirm`;
    const confirmed = await call("POST", path, { token: fan.token, key: confirmKey });
    const reconfirmed = await call("POST", path, { token: fan.token, key: confirmKey });
    expect([confirmed.status, reconfirmed.status, reconfirmed.replayed]).toEqual([200, 200, "true"]);
    expect(reconfirmed.text).toBe(confirmed.text);
  });

  it("replays a 409 SEAT_TAKEN as it was; another body under the key is 422 IDEMPOTENCY_KEY_REUSED", async () => {
    const { seats } = await newShow(["B1", "B2"]);
    const [fan, rival] = [await newCustomer(), await newCustomer()];
    const rivals = await call("POST", `/reservations/${rival.id}/hold`, {
      token: rival.token,
      body: { seat_id: seats[0]?.id },
    });
    const key = randomUUID();
    const taken = await call("POST", `/reservations/${fan.id}/hold-many`, {
      token: fan.token,
      key,
      body: { seat_ids: [seats[0]?.id, seats[1]?.id] },
    });
    expect([taken.status, taken.json.data.reason]).toEqual([409, "SEAT_TAKEN"]);
    await call("POST", `/reservations/${rivals.json.id}/release`, { token: rival.token });
    const replay = await call("POST", `/reservations/${fan.id}/hold-many`, {
      token: fan.token,
      key,
      body: { seat_ids: [seats[0]?.id, seats[1]?.id] },
    });
    expect([replay.status, replay.replayed]).toEqual([409, "true"]);
    expect(replay.text).toBe(taken.text);
    expect(await holdsOn(seats[1]?.id as number)).toBe(0);

    const reused = await call("POST", `/reservations/${fan.id}/hold-many`, {
      token: fan.token,
      key,
      body: { seat_ids: [seats[1]?.id] },
    });
    expect([reused.status, reused.json.data.reason, reused.replayed]).toEqual([
      422,
      "IDEMPOTENCY_KEY_REUSED",
      null,
    ]);
    const otherRoute = await call("POST", `/reservations/${fan.id}/hold`, {
      token: fan.token,
      key,
      body: { seat_id: seats[1]?.id },
    });
    expect(otherRoute.status).toBe(422);
    expect(await holdsOn(seats[1]?.id as number)).toBe(0);
  });

  it("10 concurrent identical holds with one key: one effect; the others replay it or get 409 IN_USE", async () => {
    const { seats } = await newShow(["C1", "C2"]);
    const fan = await newCustomer();
    const key = randomUUID();
    const body = { seat_ids: seats.map((s) => s.id) };
    const answers = await Promise.all(
      Array.from({ length: 10 }, () =>
        call("POST", `/reservations/${fan.id}/hold-many`, { token: fan.token, key, body }),
      ),
    );
    const ok = answers.filter((a) => a.status === 200);
    const fresh = ok.filter((a) => a.replayed === null);
    const inUse = answers.filter((a) => a.status === 409);
    expect(fresh.length).toBe(1);
    for (const answer of ok) expect(answer.text).toBe(fresh[0]?.text);
    expect(ok.length + inUse.length).toBe(10);
    expect(inUse.every((a) => a.json.data.reason === "IDEMPOTENCY_KEY_IN_USE")).toBe(true);
    for (const seat of seats) expect(await holdsOn(seat.id)).toBe(1);
    expect(await keyRows(fan.id)).toBe(1);
    console.log(
      `REST: 10 concurrent hold-many with one key: 1 effect, ${ok.length - 1} replays, ${inUse.length} IN_USE`,
    );
  });

  it("stores no 400, keeps users' keys apart, and refuses bad keys with 400", async () => {
    const { seats } = await newShow(["D1", "D2", "D3"]);
    const [fan, other] = [await newCustomer(), await newCustomer()];
    const key = randomUUID();
    const invalid = await call("POST", `/reservations/${fan.id}/hold`, {
      token: fan.token,
      key,
      body: { seat_id: seats[0]?.id, hold_minutes: 21 },
    });
    expect(invalid.status).toBe(400);
    expect(await keyRows(fan.id)).toBe(0);
    const valid = await call("POST", `/reservations/${fan.id}/hold`, {
      token: fan.token,
      key,
      body: { seat_id: seats[0]?.id },
    });
    expect([valid.status, valid.replayed]).toEqual([200, null]);

    const theirs = await call("POST", `/reservations/${other.id}/hold`, {
      token: other.token,
      key,
      body: { seat_id: seats[1]?.id },
    });
    expect([theirs.status, theirs.replayed, theirs.json.user_id]).toEqual([200, null, other.id]);

    for (const bad of ["x".repeat(256), "tab\tinside", "space inside"]) {
      const refused = await call("POST", `/reservations/${fan.id}/hold`, {
        token: fan.token,
        key: bad,
        body: { seat_id: seats[2]?.id },
      });
      expect([refused.status, refused.json.data.reason], bad).toEqual([400, "INVALID_INPUT"]);
    }
    expect(await holdsOn(seats[2]?.id as number)).toBe(0);
  });
});

describe("Idempotency keys through the typed client over HTTP", () => {
  it("withIdempotencyKey replays a call's result; concurrent retries act once", async () => {
    const { seats } = await newShow(["E1", "E2", "E3"]);
    const fan = await newCustomer();
    const client = createEventForgeClient({ url: server.url, token: fan.token });
    const key = randomUUID();
    const held = await client.reservations.hold.mutate(
      { seat_id: seats[0]?.id as number },
      withIdempotencyKey(key),
    );
    await client.reservations.release.mutate({ reservation_id: held.id });
    const again = await client.reservations.hold.mutate(
      { seat_id: seats[0]?.id as number },
      withIdempotencyKey(key),
    );
    expect(again).toEqual(held);
    expect(again.hold_expiry).toBeInstanceOf(Date);
    expect(await holdsOn(seats[0]?.id as number)).toBe(1);

    const reused = await client.reservations.hold
      .mutate({ seat_id: seats[1]?.id as number }, withIdempotencyKey(key))
      .catch((error: unknown) => error);
    expect(getErrorReason(reused)).toBe("IDEMPOTENCY_KEY_REUSED");

    const confirmKey = randomUUID();
    const many = await client.reservations.holdMany.mutate({
      seat_ids: [seats[1]?.id as number, seats[2]?.id as number],
    });
    const ids = many.reservations.map((r) => r.id);
    const attempts = await Promise.allSettled(
      Array.from({ length: 10 }, () =>
        client.reservations.confirmMany.mutate({ reservation_ids: ids }, withIdempotencyKey(confirmKey)),
      ),
    );
    const confirmed = attempts.flatMap((a) => (a.status === "fulfilled" ? [a.value] : []));
    const refused = attempts.flatMap((a) => (a.status === "rejected" ? [getErrorReason(a.reason)] : []));
    expect(confirmed.length).toBeGreaterThanOrEqual(1);
    for (const value of confirmed) expect(value).toEqual(confirmed[0]);
    expect(refused.every((reason) => reason === "IDEMPOTENCY_KEY_IN_USE")).toBe(true);
    const events = await count(
      sql<{
        n: string;
      }>`SELECT count(*) AS n FROM reservation_events WHERE reservation_id = ANY(${ids}::bigint[]) AND status = 'CONFIRMED'`,
    );
    expect(events).toBe(2); // confirmed once each
    console.log(
      `client: 10 concurrent confirmMany with one key: ${confirmed.length} answered, ${refused.length} IN_USE`,
    );

    // A keyed call goes in a request of its own, beside a batch of plain ones.
    const { seats: more } = await newShow(["F1"]);
    const spare = await client.reservations.hold.mutate({ seat_id: more[0]?.id as number });
    const [plain, keyed] = await Promise.all([
      client.reservations.get.query({ reservation_id: held.id }),
      client.reservations.release.mutate({ reservation_id: spare.id }, withIdempotencyKey(randomUUID())),
    ]);
    expect(plain.id).toBe(held.id);
    expect(keyed.status).toBe("CANCELLED");

    // One key on a batch of several calls could not say which call it names: 400, nothing runs.
    const input = encodeURIComponent(
      JSON.stringify({ 0: { json: { reservation_id: ids[0] } }, 1: { json: { reservation_id: ids[1] } } }),
    );
    const batch = await fetch(`${server.url}/trpc/reservations.get,reservations.get?batch=1&input=${input}`, {
      headers: { authorization: `Bearer ${fan.token}`, "idempotency-key": randomUUID() },
    });
    expect(batch.status).toBe(400);
  });
});

describe("GET /reservations/ and paged availability over REST", () => {
  it("lists your reservations newest first with filters and cursor; an admin may name a user", async () => {
    const { showId, seats } = await newShow(["G1", "G2", "G3", "G4"]);
    const [fan, other] = [await newCustomer(), await newCustomer()];
    const held = await call("POST", `/reservations/${fan.id}/hold-many`, {
      token: fan.token,
      body: { seat_ids: seats.slice(0, 3).map((s) => s.id) },
    });
    const ids = (held.json.reservations as Json[]).map((r) => r.id as number);
    await call("POST", `/reservations/${ids[0]}/confirm`, { token: fan.token });
    await call("POST", `/reservations/${other.id}/hold`, {
      token: other.token,
      body: { seat_id: seats[3]?.id },
    });

    const first = await call("GET", "/reservations?limit=2", { token: fan.token });
    expect(first.status).toBe(200);
    expect(first.json.items.map((r: Json) => r.id)).toEqual([ids[2], ids[1]]);
    const second = await call("GET", `/reservations?limit=2&cursor=${first.json.next_cursor}`, {
      token: fan.token,
    });
    expect(second.json.items.map((r: Json) => r.id)).toEqual([ids[0]]);
    expect(second.json.next_cursor).toBeNull();
    const confirmed = await call("GET", `/reservations?status=CONFIRMED&show_id=${showId}`, {
      token: fan.token,
    });
    expect(confirmed.json.items.map((r: Json) => r.id)).toEqual([ids[0]]);

    const asAdmin = await call("GET", `/reservations?user_id=${other.id}`, { token: adminToken });
    expect(asAdmin.json.items.map((r: Json) => r.user_id)).toEqual([other.id]);
    const forbidden = await call("GET", `/reservations?user_id=${other.id}`, { token: fan.token });
    expect([forbidden.status, forbidden.json.data.reason]).toEqual([403, "FORBIDDEN"]);
    expect((await call("GET", "/reservations/")).status).toBe(401);
    for (const bad of ["status=LOST", "limit=0", "limit=101", "cursor=-1", "show_id=abc"]) {
      expect((await call("GET", `/reservations?${bad}`, { token: fan.token })).status, bad).toBe(400);
    }
  });

  it("availability takes status, limit and cursor as query parameters and returns every seat once", async () => {
    const labels = ["A1", "A2", "A10", "B1", "B2"];
    const { showId, seats } = await newShow(labels);
    const fan = await newCustomer();
    await call("POST", `/reservations/${fan.id}/hold`, { token: fan.token, body: { seat_id: seats[1]?.id } });

    const whole = await call("GET", `/shows/${showId}/availability`);
    expect(whole.json.seats.map((s: Json) => s.seat_number)).toEqual(labels);
    expect(whole.json.counts).toEqual({ total: 5, available: 4, held: 1, confirmed: 0 });
    expect(whole.json.next_cursor).toBeNull();

    const seen: string[] = [];
    let cursor: number | null = null;
    do {
      const query: string = `status=AVAILABLE&limit=2${cursor === null ? "" : `&cursor=${cursor}`}`;
      const page = await call("GET", `/shows/${showId}/availability?${query}`);
      expect(page.status).toBe(200);
      seen.push(...page.json.seats.map((s: Json) => s.seat_number));
      cursor = page.json.next_cursor;
    } while (cursor !== null);
    expect(seen).toEqual(["A1", "A10", "B1", "B2"]);
    const held = await call("GET", `/shows/${showId}/availability?status=HELD`);
    expect(held.json.seats.map((s: Json) => s.seat_number)).toEqual(["A2"]);
    for (const bad of ["status=FREE", "limit=0", "limit=1001", "cursor=0"]) {
      expect((await call("GET", `/shows/${showId}/availability?${bad}`)).status, bad).toBe(400);
    }
  });
});
