import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { sql } from "kysely";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isForeignKeyViolation, isUniqueViolation } from "./errors.js";
import { insertSeats } from "./queries/seats.js";
import { insertShow } from "./queries/shows.js";
import { insertUser } from "./queries/users.js";
import { createTestDatabase, type TestDatabase } from "./testing/index.js";

// The database's own guarantees, checked with plain SQL that bypasses every service rule.

let t: TestDatabase;
let userId: number;
let showId: number;
let seatIds: number[];

beforeAll(async () => {
  t = await createTestDatabase();
  const user = await insertUser(t.db, {
    name: "U",
    phone_number: "1",
    email: "u@example.com",
    password_hash: "x",
    role: "customer",
  });
  userId = user.id;
  const show = await insertShow(t.db, {
    title: "T",
    venue: "V",
    starts_at: new Date("2031-01-01T00:00:00Z"),
  });
  showId = show.id;
  const seats = await insertSeats(t.db, showId, [
    { seat_number: "A1", sort_key: "A011" },
    { seat_number: "A2", sort_key: "A012" },
  ]);
  seatIds = seats.map((s) => s.id);
});
afterAll(() => t.drop());

const reserve = (seatId: number, status: string, showIdOverride = showId) =>
  sql`
    INSERT INTO reservations (user_id, seat_id, show_id, status, hold_expiry)
    VALUES (${userId}, ${seatId}, ${showIdOverride}, ${status}, now() + interval '10 minutes')
  `.execute(t.db);

describe("schema", () => {
  it("has the partial unique index unique_active_reservation_per_seat as docs/design.md says", async () => {
    const { rows } = await sql<{ indexdef: string }>`
      SELECT indexdef FROM pg_indexes WHERE indexname = 'unique_active_reservation_per_seat'
    `.execute(t.db);
    expect(rows[0]?.indexdef).toMatch(
      /^CREATE UNIQUE INDEX unique_active_reservation_per_seat ON public\.reservations USING btree \(seat_id\) WHERE \(status = ANY \(ARRAY\['HELD'::text, 'CONFIRMED'::text\]\)\)$/u,
    );
  });

  it("allows one active reservation per seat, whatever inserts it", async () => {
    const seat = seatIds[0] ?? 0;
    await reserve(seat, "HELD");
    for (const status of ["HELD", "CONFIRMED"]) {
      const error = await reserve(seat, status).catch((e: unknown) => e);
      expect(isUniqueViolation(error, "unique_active_reservation_per_seat")).toBe(true);
    }
    await expect(reserve(seat, "EXPIRED")).resolves.toBeDefined();
    await expect(reserve(seat, "CANCELLED")).resolves.toBeDefined();
  });

  it("rejects an unknown status, a seat of another show, and a duplicate label", async () => {
    const badStatus = await reserve(seatIds[1] ?? 0, "PENDING").catch((e: unknown) => e);
    expect((badStatus as { constraint?: string }).constraint).toBe("reservations_status_check");

    const other = await insertShow(t.db, {
      title: "O",
      venue: "V",
      starts_at: new Date("2031-01-01T00:00:00Z"),
    });
    const wrongShow = await reserve(seatIds[1] ?? 0, "HELD", other.id).catch((e: unknown) => e);
    expect(isForeignKeyViolation(wrongShow, "reservations_seat_id_show_id_fkey")).toBe(true);

    const duplicate = await insertSeats(t.db, showId, [{ seat_number: "A1", sort_key: "A011" }]).catch(
      (e: unknown) => e,
    );
    expect(isUniqueViolation(duplicate, "seats_show_id_seat_number_key")).toBe(true);
  });

  it("treats emails as unique regardless of case", async () => {
    const error = await insertUser(t.db, {
      name: "U2",
      phone_number: "1",
      email: "U@EXAMPLE.COM",
      password_hash: "x",
      role: "customer",
    }).catch((e: unknown) => e);
    expect(isUniqueViolation(error, "users_email_lower_key")).toBe(true);
  });
});

describe("reservation rows no operation can produce", () => {
  const insertHold = (created: string, expiry: string, updated = created) =>
    sql`
      INSERT INTO reservations (user_id, seat_id, show_id, status, hold_expiry, created_at, updated_at)
      VALUES (${userId}, ${seatIds[1] ?? 0}, ${showId}, 'EXPIRED', ${expiry}::timestamptz,
              ${created}::timestamptz, ${updated}::timestamptz)
    `.execute(t.db);
  const constraintOf = (error: unknown) => (error as { constraint?: string }).constraint;

  it("refuses a hold that expires before it was made, or more than 20 minutes after", async () => {
    const base = "2030-01-01T12:00:00Z";
    for (const expiry of ["2030-01-01T11:59:59Z", base, "2030-01-01T12:20:01Z", "2040-01-01T12:00:00Z"]) {
      expect(constraintOf(await insertHold(base, expiry).catch((e: unknown) => e))).toBe(
        "reservations_hold_expiry_check",
      );
    }
    await expect(insertHold(base, "2030-01-01T12:20:00Z")).resolves.toBeDefined();
  });

  it("refuses an update before the creation", async () => {
    const error = await insertHold(
      "2030-01-01T12:00:00Z",
      "2030-01-01T12:10:00Z",
      "2030-01-01T11:00:00Z",
    ).catch((e: unknown) => e);
    expect(constraintOf(error)).toBe("reservations_updated_at_check");
  });

  it("stores reservation ids as bigint and reads them as numbers", async () => {
    const { rows } = await sql<{ data_type: string }>`
      SELECT data_type FROM information_schema.columns
      WHERE table_name IN ('reservations', 'reservation_events') AND column_name IN ('id', 'reservation_id')
    `.execute(t.db);
    expect(rows.map((r) => r.data_type)).toEqual(["bigint", "bigint", "bigint"]);
    const count = await sql<{ n: unknown }>`SELECT count(*) AS n FROM reservations`.execute(t.db);
    expect(typeof count.rows[0]?.n).toBe("number");
  });
});

describe("reservation_events", () => {
  const eventsOf = (reservationId: number) =>
    t.db
      .selectFrom("reservation_events")
      .select(["reservation_id", "show_id", "seat_id", "user_id", "status", "actor_user_id"])
      .where("reservation_id", "=", reservationId)
      .orderBy("id")
      .execute();

  it("records the creation and each change of status, once, with its actor; an expiry has none", async () => {
    const { rows } = await sql<{ id: number }>`
      INSERT INTO reservations (user_id, seat_id, show_id, status, hold_expiry, actor_user_id)
      VALUES (${userId}, ${seatIds[1] ?? 0}, ${showId}, 'HELD', now() + interval '10 minutes', ${userId})
      RETURNING id
    `.execute(t.db);
    const id = rows[0]?.id ?? 0;
    const setStatus = (status: string) =>
      sql`UPDATE reservations SET status = ${status}, actor_user_id = ${userId} WHERE id = ${id}`.execute(
        t.db,
      );
    await setStatus("CONFIRMED");
    await setStatus("CONFIRMED"); // no change, no event
    await sql`UPDATE reservations SET updated_at = now() WHERE id = ${id}`.execute(t.db);
    await setStatus("EXPIRED");
    const base = { reservation_id: id, show_id: showId, seat_id: seatIds[1], user_id: userId };
    expect(await eventsOf(id)).toEqual([
      { ...base, status: "HELD", actor_user_id: userId },
      { ...base, status: "CONFIRMED", actor_user_id: userId },
      { ...base, status: "EXPIRED", actor_user_id: null },
    ]);
  });

  it("writes no event for a change that fails, and is append-only", async () => {
    // A seat of its own, held, so that a second hold of it fails whatever ran before.
    const [seat] = await insertSeats(t.db, showId, [{ seat_number: "E1", sort_key: "E011" }]);
    await reserve(seat?.id ?? 0, "HELD");
    const before = await t.db
      .selectFrom("reservation_events")
      .select(sql<number>`count(*)`.as("n"))
      .executeTakeFirst();
    const error = await reserve(seat?.id ?? 0, "HELD").catch((e: unknown) => e);
    expect(isUniqueViolation(error, "unique_active_reservation_per_seat")).toBe(true);
    const after = await t.db
      .selectFrom("reservation_events")
      .select(sql<number>`count(*)`.as("n"))
      .executeTakeFirst();
    expect(after?.n).toBe(before?.n);
    for (const statement of [
      sql`UPDATE reservation_events SET status = 'HELD'`,
      sql`DELETE FROM reservation_events`,
      sql`TRUNCATE reservation_events`,
    ]) {
      await expect(statement.execute(t.db)).rejects.toThrow(/append-only/u);
    }
  });

  it("announces each event on seat_changes when the transaction commits", async () => {
    const listener = new pg.Client({ connectionString: t.url });
    await listener.connect();
    try {
      const received: unknown[] = [];
      listener.on("notification", (n) => received.push(JSON.parse(n.payload ?? "null")));
      await listener.query("LISTEN seat_changes");
      // A seat of its own: the other tests of this file may leave theirs held, in any order.
      const [seat] = await insertSeats(t.db, showId, [{ seat_number: "N1", sort_key: "N011" }]);
      const id = await t.db.transaction().execute(async (tx) => {
        const { rows } = await sql<{ id: number }>`
          INSERT INTO reservations (user_id, seat_id, show_id, status, hold_expiry)
          VALUES (${userId}, ${seat?.id ?? 0}, ${showId}, 'HELD', now() + interval '1 minute') RETURNING id
        `.execute(tx);
        await new Promise((resolve) => setTimeout(resolve, 200));
        expect(received).toEqual([]); // not before the commit
        return rows[0]?.id ?? 0;
      });
      const event = await t.db
        .selectFrom("reservation_events")
        .select("id")
        .where("reservation_id", "=", id)
        .executeTakeFirstOrThrow();
      await expect
        .poll(() => received, { timeout: 5_000 })
        .toEqual([{ show_id: showId, event_id: event.id }]);
    } finally {
      await listener.end();
    }
  });
});

describe("generated types", () => {
  it("src/generated/db.ts matches a freshly migrated database (run `pnpm db:codegen` if not)", () => {
    const packageDir = fileURLToPath(new URL("..", import.meta.url));
    const codegen = fileURLToPath(new URL("../node_modules/.bin/kysely-codegen", import.meta.url));
    // --verify exits non-zero, naming the difference, when the committed file is stale.
    const output = execFileSync(
      codegen,
      ["--config-file", ".kysely-codegenrc.json", "--url", t.url, "--verify"],
      {
        cwd: packageDir,
        encoding: "utf8",
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    expect(output).toMatch(/up-to-date|up to date/iu);
  });
});
