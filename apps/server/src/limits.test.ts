// Abuse limits and bad input (docs/design.md, Auth and Abuse limits) against the real server over
// real HTTP: the batch limit, each rate limit with its headers (shared by two instances, in
// PostgreSQL or Redis), client addresses behind trusted proxies, admin rights from the database,
// token lifetimes, nesting depth, slow headers.
import { randomBytes } from "node:crypto";
import { connect } from "node:net";
import { issueAccessToken } from "@eventforge/domain";
import { seedShow, seedUser, TEST_PASSWORD } from "@eventforge/domain/testing";
import { Redis } from "ioredis";
import { SignJWT } from "jose";
import { afterAll, describe, expect, it } from "vitest";
import { startTestServer, TEST_JWT_SECRET, type TestServer } from "./test-server.js";

const servers: TestServer[] = [];
afterAll(async () => {
  // Second instances first: they share their first instance's database.
  for (const server of servers.reverse()) await server.stop();
});

async function serve(settings: Record<string, string> = {}, shareWith?: TestServer): Promise<TestServer> {
  const server = await startTestServer(settings, shareWith?.t);
  servers.push(server);
  return server;
}

interface Answer {
  status: number;
  headers: Headers;
  body: any;
}

async function request(
  url: string,
  method: "GET" | "POST",
  path: string,
  options: { body?: unknown; raw?: string; token?: string; headers?: Record<string, string> } = {},
): Promise<Answer> {
  const body = options.raw ?? (options.body === undefined ? undefined : JSON.stringify(options.body));
  const response = await fetch(`${url}${path}`, {
    method,
    headers: {
      ...(body === undefined ? {} : { "content-type": "application/json" }),
      ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
      ...options.headers,
    },
    body,
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : null };
}

/** One tRPC call (superjson envelope); the error's reason is at body.error.json.data.reason. */
const trpc = (
  url: string,
  procedure: string,
  input: unknown,
  options: { token?: string; headers?: Record<string, string> } = {},
) => request(url, "POST", `/trpc/${procedure}`, { body: { json: input }, ...options });

const reasonOf = (answer: Answer): string | undefined =>
  answer.body?.error?.json?.data?.reason ?? answer.body?.data?.reason;

async function signIn(url: string, email: string, headers: Record<string, string> = {}): Promise<string> {
  const answer = await trpc(url, "auth.login", { email, password: TEST_PASSWORD }, { headers });
  expect(answer.status, JSON.stringify(answer.body)).toBe(200);
  return answer.body.result.data.json.access_token;
}

function expectRateLimited(answer: Answer, policy: string, points: number, windowSeconds: number) {
  expect(answer.status, JSON.stringify(answer.body)).toBe(429);
  expect(reasonOf(answer)).toBe("TOO_MANY_REQUESTS");
  const retryAfter = Number(answer.headers.get("retry-after"));
  expect(retryAfter).toBeGreaterThanOrEqual(1);
  expect(retryAfter).toBeLessThanOrEqual(windowSeconds);
  expect(answer.headers.get("ratelimit-policy")).toBe(`"${policy}";q=${points};w=${windowSeconds}`);
  expect(answer.headers.get("ratelimit")).toBe(`"${policy}";r=0;t=${retryAfter}`);
}

describe("the batch limit", () => {
  it("refuses a tRPC request of more than EVENTFORGE_MAX_BATCH calls with BATCH_TOO_LARGE before any runs", async () => {
    const server = await serve({ EVENTFORGE_MAX_BATCH: "3" });
    const list = (n: number) =>
      request(
        server.url,
        "GET",
        `/trpc/${Array(n).fill("shows.list").join(",")}?batch=1&input=${encodeURIComponent("{}")}`,
      );
    const allowed = await list(3);
    expect(allowed.status).toBe(200);
    expect(allowed.body).toHaveLength(3);

    const refused = await list(4);
    expect(refused.status).toBe(400);
    expect(refused.body).toHaveLength(4);
    for (const call of refused.body)
      expect(call.error.json.data).toMatchObject({
        reason: "BATCH_TOO_LARGE",
        details: { calls: 4, limit: 3 },
      });

    // Mutations too, and none of them ran.
    const emails = Array.from({ length: 4 }, () => `batch.${randomBytes(4).toString("hex")}@example.com`);
    const input = Object.fromEntries(
      emails.map((email, i) => [
        i,
        { json: { name: "B", phone_number: "+1 555 0100", email, password: "long enough" } },
      ]),
    );
    const signUps = await request(
      server.url,
      "POST",
      `/trpc/${Array(4).fill("users.create").join(",")}?batch=1`,
      { body: input },
    );
    expect(signUps.status).toBe(400);
    const created = await server.t.db.selectFrom("users").select("id").where("email", "in", emails).execute();
    expect(created).toEqual([]);
  });
});

// The machine's Redis, if there is one: the Redis test skips without it.
const redisUrl = "redis://127.0.0.1:6379";
const redisReachable = await (async () => {
  const probe = new Redis(redisUrl, {
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
  });
  probe.on("error", () => {});
  try {
    await probe.connect();
    return (await probe.ping()) === "PONG";
  } catch {
    return false;
  } finally {
    probe.disconnect();
  }
})();

describe("rate limits", () => {
  it("limits holds per user across both surfaces and two instances, with Retry-After and RateLimit headers", async () => {
    const first = await serve({ EVENTFORGE_HOLD_RATE_PER_MINUTE: "3" });
    const second = await serve({ EVENTFORGE_HOLD_RATE_PER_MINUTE: "3" }, first);
    const { seats } = await seedShow(first.t.db, ["A1", "A2", "A3", "A4", "A5"]);
    const fan = await seedUser(first.t.db, "customer", "Holder");
    const other = await seedUser(first.t.db, "customer", "Other");
    const token = await signIn(first.url, fan.email);

    const [a, b, c, d, e] = seats.map((seat) => seat.id);
    expect((await trpc(first.url, "reservations.hold", { seat_id: a }, { token })).status).toBe(200);
    expect((await trpc(second.url, "reservations.hold", { seat_id: b }, { token })).status).toBe(200);
    const rest = await request(first.url, "POST", `/reservations/${fan.id}/hold`, {
      body: { seat_id: c },
      token,
    });
    expect(rest.status).toBe(200);

    // The fourth, on either instance and either surface, is refused and holds nothing.
    expectRateLimited(await trpc(second.url, "reservations.hold", { seat_id: d }, { token }), "holds", 3, 60);
    expectRateLimited(
      await request(second.url, "POST", `/reservations/${fan.id}/hold`, { body: { seat_id: d }, token }),
      "holds",
      3,
      60,
    );
    const held = await first.t.db
      .selectFrom("reservations")
      .select("seat_id")
      .where("user_id", "=", fan.id)
      .execute();
    expect(held.map((r) => r.seat_id).sort()).toEqual([a, b, c].sort());

    // Another user has a budget of their own.
    const otherToken = await signIn(first.url, other.email);
    expect((await trpc(second.url, "reservations.hold", { seat_id: e }, { token: otherToken })).status).toBe(
      200,
    );
  });

  it("limits sign-ups per client address", async () => {
    const server = await serve({ EVENTFORGE_SIGNUP_RATE_PER_HOUR: "2" });
    const signUp = () =>
      request(server.url, "POST", "/users", {
        body: {
          name: "New",
          phone_number: "+1 555 0100",
          email: `new.${randomBytes(4).toString("hex")}@example.com`,
          password: "long enough",
        },
      });
    expect((await signUp()).status).toBe(200);
    expect((await signUp()).status).toBe(200);
    const before = await server.t.db.selectFrom("users").select("id").execute();
    expectRateLimited(await signUp(), "signups", 2, 3_600);
    expect(await server.t.db.selectFrom("users").select("id").execute()).toHaveLength(before.length);
  });

  it("limits sign-ins per address across emails; X-Forwarded-For counts only behind a trusted proxy", async () => {
    const direct = await serve({ EVENTFORGE_LOGIN_RATE_PER_HOUR: "3" });
    const users = await Promise.all(
      [1, 2, 3, 4].map((i) => seedUser(direct.t.db, "customer", `Signer ${i}`)),
    );
    const spoofed = (i: number) => ({ "x-forwarded-for": `203.0.113.${i}` });
    // Without a trusted proxy the header is the client's own claim: ignored.
    for (const [i, user] of users.slice(0, 3).entries()) await signIn(direct.url, user.email, spoofed(i));
    const users3 = users[3] as (typeof users)[number];
    expectRateLimited(
      await trpc(
        direct.url,
        "auth.login",
        { email: users3.email, password: TEST_PASSWORD },
        { headers: spoofed(9) },
      ),
      "logins",
      3,
      3_600,
    );

    // Behind one trusted proxy each forwarded address has its own budget; the proxy's entry is the
    // rightmost one, anything a client put before it does not matter.
    const proxied = await serve({ EVENTFORGE_LOGIN_RATE_PER_HOUR: "3", EVENTFORGE_TRUST_PROXY: "1" }, direct);
    const behindProxy = (client: string) => ({
      "x-forwarded-for": `${randomBytes(2).toString("hex")}, ${client}`,
    });
    for (const user of users.slice(0, 3)) await signIn(proxied.url, user.email, behindProxy("198.51.100.7"));
    expectRateLimited(
      await trpc(
        proxied.url,
        "auth.login",
        { email: users3.email, password: TEST_PASSWORD },
        { headers: behindProxy("198.51.100.7") },
      ),
      "logins",
      3,
      3_600,
    );
    await signIn(proxied.url, users3.email, behindProxy("198.51.100.8"));
  });

  it("keeps the per-(address, email) throttle of failed sign-ins, with its headers", async () => {
    const server = await serve();
    const user = await seedUser(server.t.db, "customer", "Guessed");
    const guess = () => trpc(server.url, "auth.login", { email: user.email, password: "wrong guess" });
    for (let i = 0; i < 10; i++) expect((await guess()).status).toBe(401);
    expectRateLimited(await guess(), "login-failures", 10, 900);
  });

  it.skipIf(!redisReachable)(
    "keeps the limits in Redis when REDIS_URL is set, shared by two instances",
    async () => {
      const settings = { EVENTFORGE_HOLD_RATE_PER_MINUTE: "2", REDIS_URL: redisUrl };
      const first = await serve(settings);
      const second = await serve(settings, first);
      const { seats } = await seedShow(first.t.db, ["R1", "R2", "R3"]);
      const fan = await seedUser(first.t.db, "customer", "Redis Holder");
      const token = await signIn(first.url, fan.email);
      const [r1, r2, r3] = seats.map((seat) => seat.id);
      expect((await trpc(first.url, "reservations.hold", { seat_id: r1 }, { token })).status).toBe(200);
      expect((await trpc(second.url, "reservations.hold", { seat_id: r2 }, { token })).status).toBe(200);
      expectRateLimited(
        await trpc(first.url, "reservations.hold", { seat_id: r3 }, { token }),
        "holds",
        2,
        60,
      );
      // The count (the refused attempt included) is in Redis, under this database's namespace, not
      // in the rate_limits table.
      const redis = new Redis(redisUrl);
      try {
        expect(await redis.get(`eventforge:${first.t.name}:holds:${fan.id}`)).toBe("3");
      } finally {
        redis.disconnect();
      }
      expect(await first.t.db.selectFrom("rate_limits").select("key").execute()).toEqual([]);
    },
  );
});

describe("admin rights and tokens", () => {
  it("a demoted or deleted admin's token is refused for admin work at once", async () => {
    const server = await serve();
    const admin = await seedUser(server.t.db, "admin", "Soon Former");
    const customer = await seedUser(server.t.db, "customer", "Customer");
    const { seats } = await seedShow(server.t.db, ["D1", "D2"]);
    const token = await signIn(server.url, admin.email);
    const show = { title: "Demotion", venue: "Hall", starts_at: "2031-01-01T20:00:00Z" };
    expect((await trpc(server.url, "shows.create", show, { token })).status).toBe(200);

    await server.t.db.updateTable("users").set({ role: "customer" }).where("id", "=", admin.id).execute();
    const refused = await trpc(server.url, "shows.create", show, { token });
    expect(refused.status).toBe(403);
    expect(reasonOf(refused)).toBe("FORBIDDEN");
    // Acting for another user is admin work too.
    const forOther = await trpc(
      server.url,
      "reservations.hold",
      { user_id: customer.id, seat_id: seats[0]?.id },
      { token },
    );
    expect(forOther.status).toBe(403);
    // The account itself still works as the customer it now is.
    expect((await trpc(server.url, "reservations.hold", { seat_id: seats[1]?.id }, { token })).status).toBe(
      200,
    );

    // A deleted admin's token: a token for an account that does not exist is not valid.
    const ghost = await issueAccessToken(
      { secret: new TextEncoder().encode(TEST_JWT_SECRET), ttlSeconds: 3_600 },
      { userId: 2_000_000_000, role: "admin" },
    );
    const ghostly = await trpc(server.url, "shows.create", show, { token: ghost.access_token });
    expect(ghostly.status).toBe(401);
    expect(reasonOf(ghostly)).toBe("INVALID_TOKEN");
  });

  it("refuses a well-signed token whose lifetime exceeds the configured one", async () => {
    const server = await serve({ EVENTFORGE_TOKEN_TTL_SECONDS: "600" });
    const admin = await seedUser(server.t.db, "admin", "Long Lived");
    const now = Math.floor(Date.now() / 1000);
    const sign = (exp: number) =>
      new SignJWT({ role: "admin" })
        .setProtectedHeader({ alg: "HS256" })
        .setSubject(String(admin.id))
        .setIssuer("eventforge")
        .setIssuedAt(now)
        .setExpirationTime(exp)
        .sign(new TextEncoder().encode(TEST_JWT_SECRET));
    for (const exp of [4_102_444_800 /* 2100 */, now + 601]) {
      const answer = await request(server.url, "GET", "/auth/me", { token: await sign(exp) });
      expect(answer.status, String(exp)).toBe(401);
      expect(reasonOf(answer)).toBe("INVALID_TOKEN");
    }
    expect((await request(server.url, "GET", "/auth/me", { token: await sign(now + 600) })).status).toBe(200);
  });
});

describe("malformed and slow requests", () => {
  const deep = (depth: number) => `${'{"a":'.repeat(depth)}1${"}".repeat(depth)}`;
  const deepArray = (depth: number) => `${"[".repeat(depth)}${"]".repeat(depth)}`;

  it("JSON nested deeper than the API needs is a 400 on tRPC and REST, never a 500", async () => {
    const server = await serve();
    for (const nested of [deep(100_000), deepArray(100_000), deep(20)]) {
      const trpcPost = await request(server.url, "POST", "/trpc/users.create", { raw: `{"json":${nested}}` });
      expect(trpcPost.status).toBe(400);
      expect(reasonOf(trpcPost)).toBe("INVALID_INPUT");
      // (A 100,000-deep query string is refused as 431, headers too large, before it is read.)
      const inQuery = nested.length > 10_000 ? deep(1_000) : nested;
      const trpcGet = await request(
        server.url,
        "GET",
        `/trpc/shows.list?input=${encodeURIComponent(`{"json":${inQuery}}`)}`,
      );
      expect(trpcGet.status).toBe(400);
      const restPost = await request(server.url, "POST", "/users", { raw: nested });
      expect(restPost.status).toBe(400);
      expect(reasonOf(restPost)).toBe("INVALID_INPUT");
      const restNested = await request(server.url, "POST", "/users", { raw: `{"name":${nested}}` });
      expect(restNested.status).toBe(400);
    }
    // The server is fine afterwards.
    expect((await request(server.url, "GET", "/shows")).status).toBe(200);
  });

  it("closes a connection whose headers do not arrive within 10 s", async () => {
    const server = await serve();
    const { port, hostname } = new URL(server.url);
    const started = Date.now();
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = connect(Number(port), hostname, () =>
        socket.write("GET /healthz HTTP/1.1\r\nHost: x\r\n"),
      );
      let received = "";
      socket.setEncoding("utf8").on("data", (chunk: string) => {
        received += chunk;
      });
      socket.on("close", () => resolve(received));
      socket.on("error", reject);
    });
    const waited = Date.now() - started;
    expect(answer).toMatch(/^HTTP\/1\.1 408/u);
    expect(waited).toBeGreaterThanOrEqual(9_000);
    expect(waited).toBeLessThan(25_000);
  });
});
