import { createTestDatabase, type TestDatabase } from "@eventforge/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureAdmin } from "./users.js";

let t: TestDatabase;

beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(() => t.drop());

describe("ensureAdmin", () => {
  it("10 instances starting at once with one configured admin: one account, created once, none fails", async () => {
    const admin = { email: "Box.Office@example.com", password: "admin password 1" };
    const results = await Promise.all(Array.from({ length: 10 }, () => ensureAdmin(t.db, admin)));
    expect(results.filter((result) => result.kind === "created")).toHaveLength(1);
    expect(new Set(results.map((result) => result.user.id)).size).toBe(1);
    const rows = await t.db.selectFrom("users").select(["email", "role"]).execute();
    expect(rows).toEqual([{ email: admin.email, role: "admin" }]);
  });
});
