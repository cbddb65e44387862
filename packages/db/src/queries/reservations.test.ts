import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../create-db.js";
import { createTestDatabase, type TestDatabase } from "../testing/index.js";
import {
  compileHoldStatement,
  type HoldRequest,
  holdSeatsInOneStatement,
  holdStatement,
} from "./reservations.js";

let t: TestDatabase;
let db: Database;

beforeAll(async () => {
  // One connection, so that the prepared statements it inspects are its own session's.
  t = await createTestDatabase({ maxConnections: 1 });
  db = t.db;
});
afterAll(async () => {
  await t?.drop();
});

const hold = (overrides: Partial<HoldRequest>): HoldRequest => ({
  seats: { seatIds: [3] },
  userId: 7,
  actorUserId: 7,
  holdMinutes: 15,
  maxHoldsPerShow: 0,
  ...overrides,
});

// Two requests of each shape (what changes the statement's text), differing in every value.
const shapes: Record<string, [HoldRequest, HoldRequest]> = {
  "seat ids, no cap": [
    hold({}),
    hold({ seats: { seatIds: [11, 12, 19] }, userId: 8, actorUserId: 1, holdMinutes: 5 }),
  ],
  "seat ids, capped": [
    hold({ maxHoldsPerShow: 10 }),
    hold({ seats: { seatIds: [4, 5] }, userId: 9, actorUserId: 2, holdMinutes: 30, maxHoldsPerShow: 1_000 }),
  ],
  "labels, no cap": [
    hold({ seats: { showId: 2, seatNumbers: ["A1"] } }),
    hold({ seats: { showId: 5, seatNumbers: ["B2", "B3"] }, userId: 3, actorUserId: 1, holdMinutes: 1 }),
  ],
  "labels, capped": [
    hold({ seats: { showId: 2, seatNumbers: ["A1"] }, maxHoldsPerShow: 3 }),
    hold({
      seats: { showId: 6, seatNumbers: ["C1", "C2", "C9"] },
      userId: 4,
      actorUserId: 4,
      holdMinutes: 60,
      maxHoldsPerShow: 2,
    }),
  ],
};

describe("the compiled hold statement", () => {
  for (const [shape, requests] of Object.entries(shapes)) {
    it(`is byte for byte what holdStatement builds (${shape})`, () => {
      // Twice each, so that the second call of a shape takes its values from the cache's mapping.
      for (const request of [...requests, ...requests]) {
        const fresh = holdStatement(request).compile(db);
        const cached = compileHoldStatement(db, request);
        expect(cached.sql).toBe(fresh.sql);
        expect(cached.parameters).toEqual(fresh.parameters);
      }
    });
  }

  it("has one text per shape", () => {
    const texts = Object.values(shapes).map(([first, second]) => {
      expect(compileHoldStatement(db, second).sql).toBe(compileHoldStatement(db, first).sql);
      return compileHoldStatement(db, first).sql;
    });
    expect(new Set(texts).size).toBe(texts.length);
  });

  it("runs as one prepared statement per shape, reused with new values", async () => {
    const [first, second] = shapes["labels, capped"] ?? [];
    if (!first || !second) throw new Error("no such shape");
    // No such seats: the statement finds nothing and writes nothing, but runs in full.
    for (const request of [first, second, first])
      expect(await holdSeatsInOneStatement(db, request)).toEqual([]);
    const { rows } = await sql<{ calls: number }>`
      SELECT generic_plans + custom_plans AS calls FROM pg_prepared_statements
      WHERE statement = ${compileHoldStatement(db, first).sql}
    `.execute(db);
    expect(rows).toEqual([{ calls: 3 }]);
  });
});
