import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { FAN, useCliWorld } from "./harness.js";

const w = useCliWorld();

describe("users and shows", () => {
  it("creates a customer, and shows that can be listed and read", async () => {
    const fanDir = join(w.scratch, "fan");
    const fan = await w.json(
      ["users", "create", "--name", FAN.name, "--email", FAN.email, "--phone", FAN.phone, "--password-stdin"],
      { input: FAN.password },
    );
    expect(fan).toMatchObject({
      name: FAN.name,
      email: FAN.email,
      phone_number: FAN.phone,
      role: "customer",
    });
    expect(fan).not.toHaveProperty("password_hash");
    const [again, fanLogin, show] = await Promise.all([
      w.eventforge([
        "users",
        "create",
        "--name",
        "X",
        "--email",
        FAN.email,
        "--phone",
        "555 0100",
        "--password",
        "12345678",
      ]),
      w.eventforge(["login", "--email", FAN.email, "--password", FAN.password], { as: fanDir }),
      w.json(
        [
          "shows",
          "create",
          "--title",
          "Listed",
          "--venue",
          "Hall 2",
          "--starts-at",
          "2031-02-03T19:30+01:00",
        ],
        {
          as: w.adminDir,
        },
      ),
    ]);
    expect(again).toMatchObject({
      code: 1,
      stderr: "EMAIL_TAKEN: an account with this email already exists\n",
    });
    expect(fanLogin.code).toBe(0);
    expect(show).toMatchObject({ title: "Listed", venue: "Hall 2", starts_at: "2031-02-03T18:30:00.000Z" });

    const [list, listJson, get, getJson, asCustomer] = await Promise.all([
      w.ok(["shows", "list"]),
      w.json(["shows", "list"]),
      w.ok(["shows", "get", String(show.id)]),
      w.json(["shows", "get", String(show.id)]),
      w.eventforge(["shows", "create", "--title", "t", "--venue", "v", "--starts-at", "2031-01-01T20:00Z"], {
        as: fanDir,
      }),
    ]);
    expect(list).toMatch(
      new RegExp(`^ID +STARTS +TITLE +VENUE\\n(.*\\n)*${show.id} +2031-02-03 18:30 +Listed +Hall 2\\n`, "u"),
    );
    expect(listJson).toContainEqual(show);
    expect(get).toContain("title   Listed\n");
    expect(get).toContain("seats   0 seats: 0 available, 0 held, 0 confirmed");
    expect(getJson).toEqual({ ...show, counts: { AVAILABLE: 0, HELD: 0, CONFIRMED: 0 } });
    expect(asCustomer).toMatchObject({ code: 1, stderr: "FORBIDDEN: this needs an admin account\n" });
  });
});
