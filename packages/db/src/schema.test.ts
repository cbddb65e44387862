import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { sql } from "kysely";
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
  it("has the partial unique index unique_active_reservation_per_seat exactly as DESIGN §2 says", async () => {
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
