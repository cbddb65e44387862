import { createEventForgeClient, getErrorReason } from "@eventforge/client";
import { createTestDatabase, type TestDatabase } from "@eventforge/db/testing";
import { seedShow, seedUser, settle, TEST_PASSWORD } from "@eventforge/domain/testing";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ServerProcess, startServerProcess } from "./test-process.js";

// The hold cap is decided by the database, so it holds across instances (docs/design.md: Hold cap, Scale-out).

let t: TestDatabase;
let servers: ServerProcess[] = [];

beforeAll(async () => {
  t = await createTestDatabase();
  const settings = { EVENTFORGE_MAX_HOLDS_PER_SHOW: "4" };
  // One after the other: concurrent first starts race to create the configured admin.
  for (let i = 0; i < 2; i++) servers.push(await startServerProcess(t.url, settings));
}, 180_000);
afterAll(async () => {
  await Promise.all(servers.map((server) => server.stop()));
  servers = [];
  await t.drop();
});

describe("the hold cap across two server processes", () => {
  it("20 concurrent holds by one customer split over two instances: exactly the cap are HELD", async () => {
    const fan = await seedUser(t.db, "customer", "Cap Fan");
    const { show } = await seedShow(
      t.db,
      Array.from({ length: 20 }, (_, i) => `C${i + 1}`),
    );
    const clients = await Promise.all(
      servers.map(async (server) => {
        const anonymous = createEventForgeClient({ url: server.url });
        const { access_token } = await anonymous.auth.login.mutate({
          email: fan.email,
          password: TEST_PASSWORD,
        });
        return createEventForgeClient({ url: server.url, token: access_token });
      }),
    );
    const { ok, failed } = await settle(
      Array.from({ length: 20 }, (_, i) =>
        (clients[i % 2] as (typeof clients)[number]).reservations.hold.mutate({
          show_id: show.id,
          seat_number: `C${i + 1}`,
        }),
      ),
    );
    expect(ok).toHaveLength(4);
    expect(failed.map(getErrorReason)).toEqual(Array(16).fill("HOLD_LIMIT_REACHED"));
    const { rows } = await sql<{ n: number }>`
      SELECT count(*)::integer AS n FROM reservations WHERE user_id = ${fan.id} AND show_id = ${show.id} AND status = 'HELD'
    `.execute(t.db);
    expect(rows[0]?.n).toBe(4);
    // A multi-seat hold counts every seat: with the cap reached, none is held.
    const many = await clients[0]?.reservations.holdMany
      .mutate({ show_id: show.id, seat_numbers: ["C19", "C20"] })
      .catch((e: unknown) => e);
    expect(getErrorReason(many)).toBe("HOLD_LIMIT_REACHED");
  }, 120_000);
});
