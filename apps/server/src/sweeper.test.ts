import { createTestDatabase, type TestDatabase } from "@eventforge/db/testing";
import { type Actor, holdSeat } from "@eventforge/domain";
import { actorOf, seedShow, seedUsers, setHoldExpiry } from "@eventforge/domain/testing";
import { sql } from "kysely";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSweeper } from "./sweeper.js";
import { startServerProcess } from "./test-process.js";

const logger = pino({ level: "silent" });
const policy = { maxHoldsPerShow: 0 };
let t: TestDatabase;
let fans: Actor[];

beforeAll(async () => {
  t = await createTestDatabase();
  fans = (await seedUsers(t.db, 20)).map(actorOf);
});
afterAll(() => t.drop());

/** Holds on `count` new seats spread over `shows` new shows, each by one of the fans. */
async function newHolds(count: number, shows = 1): Promise<number[]> {
  const ids: number[] = [];
  for (let show = 0; show < shows; show++) {
    const size = Math.ceil(count / shows);
    const { seats } = await seedShow(
      t.db,
      Array.from({ length: size }, (_, i) => `W${i + 1}`),
    );
    const holds = await Promise.all(
      seats.map((seat, i) =>
        holdSeat(t.db, { seat: { seat_id: seat.id } }, fans[i % fans.length] as Actor, policy),
      ),
    );
    ids.push(...holds.map((hold) => hold.id));
  }
  return ids;
}

async function lapse(ids: number[]): Promise<void> {
  await sql`
    UPDATE reservations
    SET hold_expiry = statement_timestamp() - interval '1 second',
        created_at = statement_timestamp() - interval '2 seconds',
        updated_at = statement_timestamp() - interval '2 seconds'
    WHERE id = ANY(${ids}::bigint[])
  `.execute(t.db);
}

async function statusOf(id: number): Promise<string> {
  const row = await t.db
    .selectFrom("reservations")
    .select("status")
    .where("id", "=", id)
    .executeTakeFirstOrThrow();
  return row.status;
}

async function waitUntil(what: string, probe: () => Promise<boolean>, timeoutMs: number): Promise<number> {
  const started = Date.now();
  while (!(await probe())) {
    if (Date.now() - started > timeoutMs)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
  return Date.now() - started;
}

describe("the sweeper runner", () => {
  it("expires a forced-lapsed hold within about two intervals, with one event, and stops when told", async () => {
    const expiredCounts: number[] = [];
    const sweeper = createSweeper({
      db: t.db,
      intervalMs: 200,
      logger,
      onExpired: (count) => expiredCounts.push(count),
    });
    sweeper.start();
    try {
      const [id] = await newHolds(1);
      if (id === undefined) throw new Error("no hold");
      await setHoldExpiry(t.db, id, -1);
      // Two intervals is the contract; the bound is generous for a loaded machine.
      // The runner reports a sweep after its commit, so the row can be EXPIRED a moment before
      // onExpired has been told: wait for both.
      await waitUntil(
        "the sweeper to expire the hold and report it",
        async () => (await statusOf(id)) === "EXPIRED" && expiredCounts.includes(1),
        5_000,
      );
      const events = await t.db
        .selectFrom("reservation_events")
        .select(["status", "actor_user_id"])
        .where("reservation_id", "=", id)
        .orderBy("id")
        .execute();
      expect(events.map((e) => [e.status, e.actor_user_id])).toEqual([
        ["HELD", expect.any(Number)],
        ["EXPIRED", null],
      ]);
      expect(expiredCounts).toContain(1);
    } finally {
      await sweeper.stop();
    }
    const [after] = await newHolds(1);
    if (after === undefined) throw new Error("no hold");
    await setHoldExpiry(t.db, after, -1);
    await new Promise((r) => setTimeout(r, 800));
    expect(await statusOf(after)).toBe("HELD");
  });
});

describe("sweepers of three server processes on one database", () => {
  it("200 lapsed holds: each gets exactly one EXPIRED event, with no actor", async () => {
    const settings = { EVENTFORGE_SWEEP_INTERVAL_MS: "100" };
    // The first one alone: concurrent first starts race to create the configured admin.
    const first = await startServerProcess(t.url, settings);
    const servers = [first, ...(await Promise.all([2, 3].map(() => startServerProcess(t.url, settings))))];
    try {
      const ids = await newHolds(200, 20);
      expect(ids).toHaveLength(200);
      await lapse(ids);
      const held = async () => {
        const { rows } = await sql<{ n: number }>`
          SELECT count(*)::integer AS n FROM reservations WHERE id = ANY(${ids}::bigint[]) AND status = 'HELD'
        `.execute(t.db);
        return rows[0]?.n ?? -1;
      };
      await waitUntil("every hold to be expired", async () => (await held()) === 0, 20_000);
      const { rows } = await sql<{ reservation_id: number; events: number; actors: number }>`
        SELECT reservation_id, count(*)::integer AS events, count(actor_user_id)::integer AS actors
        FROM reservation_events
        WHERE reservation_id = ANY(${ids}::bigint[]) AND status = 'EXPIRED'
        GROUP BY reservation_id
      `.execute(t.db);
      expect(rows).toHaveLength(200);
      expect(rows.filter((row) => row.events !== 1 || row.actors !== 0)).toEqual([]);
    } finally {
      await Promise.all(servers.map((server) => server.stop()));
    }
  }, 180_000);
});
