// docs/design.md, Running: Faults, for real: a server process talks to PostgreSQL through a TCP
// proxy that the test cuts (3 s) and stalls (8 s) while customers hold and confirm. The process
// must live, answer 503 DATABASE_UNAVAILABLE with Retry-After within 5 s, keep serving what needs
// no database, recover by itself, and leave the data consistent.

import { setTimeout as delay } from "node:timers/promises";
import { createTestDatabase, startTcpProxy, type TcpProxy, type TestDatabase } from "@eventforge/db/testing";
import { seedShow, seedUser, TEST_PASSWORD } from "@eventforge/domain/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  SERVER_DIR,
  type ServerProcess,
  SOURCE_SERVER_ARGS,
  servingUrl,
  spawnServer,
} from "./process-harness.js";

/** The contract, and what a loaded 2-core machine may add to it. */
const CONTRACT_MS = 5_000;
const SLACK_MS = 2_500;
const CUSTOMERS = 8;

let t: TestDatabase;
let proxy: TcpProxy;
let server: ServerProcess;
let url: string;

beforeAll(async () => {
  t = await createTestDatabase();
  const target = new URL(t.url);
  proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port) });
  server = spawnServer(process.execPath, SOURCE_SERVER_ARGS, SERVER_DIR, {
    DATABASE_URL: proxy.urlThrough(t.url),
    EVENTFORGE_JWT_SECRET: "faults-secret-that-is-at-least-32-characters",
    EVENTFORGE_ADMIN_EMAIL: "faults@example.com",
    EVENTFORGE_ADMIN_PASSWORD: "faults admin password",
    EVENTFORGE_HOLD_RATE_PER_MINUTE: "0",
    EVENTFORGE_LOGIN_RATE_PER_HOUR: "0",
    EVENTFORGE_MAX_HOLDS_PER_SHOW: "0",
    EVENTFORGE_SWEEP_INTERVAL_MS: "0",
  });
  url = await servingUrl(server);
});
afterAll(async () => {
  server?.kill();
  await proxy?.close();
  await t?.drop();
});

interface Outcome {
  what: "hold" | "confirm";
  started: number;
  ended: number;
  status: number;
  reason: string | undefined;
  retryAfter: string | null;
  reservationId?: number;
}

async function call(procedure: string, input: unknown, token?: string) {
  const response = await fetch(`${url}/trpc/${procedure}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ json: input }),
    signal: AbortSignal.timeout(30_000),
  });
  const body = (await response.json()) as any;
  return {
    status: response.status,
    retryAfter: response.headers.get("retry-after"),
    data: body?.result?.data?.json,
    reason: body?.error?.json?.data?.reason as string | undefined,
  };
}

describe("a database outage under load", () => {
  it("costs only the requests during it: 503 within 5 s, the rest keeps working, recovery by itself", {
    timeout: 180_000,
  }, async () => {
    const { seats } = await seedShow(
      t.db,
      Array.from({ length: 2_000 }, (_, i) => `S${i + 1}`),
    );
    const users = await Promise.all(
      Array.from({ length: CUSTOMERS }, (_, i) => seedUser(t.db, "customer", `Fan ${i}`)),
    );
    const tokens = await Promise.all(
      users.map(
        async (user) =>
          (await call("auth.login", { email: user.email, password: TEST_PASSWORD })).data
            .access_token as string,
      ),
    );

    const outcomes: Outcome[] = [];
    let nextSeat = 0;
    let running = true;
    const customer = async (token: string) => {
      while (running) {
        const seat = seats[nextSeat++ % seats.length];
        const started = Date.now();
        const hold = await call("reservations.hold", { seat_id: seat?.id }, token);
        outcomes.push({
          what: "hold",
          started,
          ended: Date.now(),
          status: hold.status,
          reason: hold.reason,
          retryAfter: hold.retryAfter,
        });
        if (hold.status !== 200) {
          if (hold.status === 503) await delay(100);
          continue;
        }
        const confirmStarted = Date.now();
        const confirm = await call("reservations.confirm", { reservation_id: hold.data.id }, token);
        outcomes.push({
          what: "confirm",
          started: confirmStarted,
          ended: Date.now(),
          status: confirm.status,
          reason: confirm.reason,
          retryAfter: confirm.retryAfter,
          reservationId: hold.data.id,
        });
      }
    };
    const load = Promise.all(tokens.map(customer));

    const figures: Record<string, number> = {};
    const outage = async (name: string, start: () => void, durationMs: number) => {
      await delay(1_500);
      const began = Date.now();
      start();
      // While it lasts: liveness answers without the database, readiness does not.
      await delay(Math.min(1_500, durationMs / 2));
      expect((await fetch(`${url}/healthz`)).status).toBe(200);
      expect((await fetch(`${url}/readyz`)).status).toBe(503);
      await delay(began + durationMs - Date.now());
      const restored = Date.now();
      proxy.restore();
      // Recovery: the first hold begun after the restore that succeeds.
      const recovered = await waitForOutcome(
        outcomes,
        (o) => o.started >= restored && o.status === 200,
        20_000,
      );
      const refused = outcomes.filter((o) => o.status === 503 && o.ended >= began && o.started <= restored);
      expect(refused.length, `${name}: some request saw the outage`).toBeGreaterThan(0);
      const first503 = Math.min(...refused.map((o) => o.ended)) - began;
      const slowest503 = Math.max(...refused.map((o) => o.ended - o.started));
      figures[`${name}: first 503 after (ms)`] = first503;
      figures[`${name}: slowest 503 (ms)`] = slowest503;
      figures[`${name}: recovered after restore (ms)`] = recovered.ended - restored;
      expect(first503).toBeLessThan(CONTRACT_MS + SLACK_MS);
      expect(slowest503).toBeLessThan(CONTRACT_MS + SLACK_MS);
      expect(recovered.ended - restored).toBeLessThan(CONTRACT_MS + SLACK_MS);
      for (const o of refused) {
        expect(o.reason).toBe("DATABASE_UNAVAILABLE");
        expect(Number(o.retryAfter)).toBeGreaterThanOrEqual(1);
      }
      expect(server.exit, server.output).toBeUndefined();
    };

    try {
      await outage("cut 3 s", () => proxy.cut(), 3_000);
      await outage("stall 8 s", () => proxy.stall(), 8_000);
      await delay(1_000);
    } finally {
      running = false;
      await load;
    }
    console.log("outage figures", figures);

    // The process lived through it all, and nothing unexpected was answered.
    expect(server.exit, server.output).toBeUndefined();
    const unexpected = server.logs.filter((l) => l.msg === "unexpected error");
    expect(unexpected, JSON.stringify(unexpected.slice(0, 3))).toEqual([]);
    const statuses = new Set(outcomes.map((o) => o.status));
    expect(
      [...statuses].every((s) => s === 200 || s === 503 || s === 409),
      [...statuses].join(","),
    ).toBe(true);
    expect((await fetch(`${url}/readyz`)).status).toBe(200);

    // In the database: no seat with two active reservations, and every confirm a client was told
    // succeeded is CONFIRMED.
    const doubled = await t.db
      .selectFrom("reservations")
      .select("seat_id")
      .where("status", "in", ["HELD", "CONFIRMED"])
      .groupBy("seat_id")
      .having((eb) => eb.fn.countAll(), ">", 1)
      .execute();
    expect(doubled).toEqual([]);
    const confirmed = outcomes
      .filter((o) => o.what === "confirm" && o.status === 200)
      .map((o) => o.reservationId as number);
    expect(confirmed.length).toBeGreaterThan(0);
    const rows = await t.db
      .selectFrom("reservations")
      .select(["id", "status"])
      .where("id", "in", confirmed)
      .execute();
    expect(rows).toHaveLength(confirmed.length);
    expect(rows.every((row) => row.status === "CONFIRMED")).toBe(true);
  });
});

async function waitForOutcome(
  outcomes: Outcome[],
  match: (o: Outcome) => boolean,
  timeoutMs: number,
): Promise<Outcome> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = outcomes.find(match);
    if (found) return found;
    if (Date.now() > deadline) throw new Error("no request succeeded after the restore");
    await delay(20);
  }
}
