import { readFile } from "node:fs/promises";
import { beforeAll, describe, expect, it } from "vitest";
import { type Session, sessionPath } from "../session.js";
import { GRID_26_BY_40, useCliWorld } from "./harness.js";

const w = useCliWorld();
let fanDir: string;
/** A 26×40 grid, as `seats add --rows A-Z --numbers 1-40` makes it. */
let gridShowId: string;

beforeAll(async () => {
  fanDir = (await w.signUpFan()).dir;
  gridShowId = await w.createShow("Gala", GRID_26_BY_40);
});

describe("holds and the seat map", () => {
  const hhmm = (iso: string) => iso.slice(11, 16); // the CLI runs with TZ=UTC

  it("hold, confirm, release and read reservations; the map shows each seat's status", async () => {
    const id = gridShowId;
    const fan = (JSON.parse(await readFile(sessionPath(fanDir), "utf8")) as Session).user;
    const [fanHold, soldHold, releasedHold, heldForFan, notForOthers] = await Promise.all([
      w.json(["hold", id, "a5", "--minutes", "3"], { as: fanDir }),
      w.json(["hold", id, "B10"], { as: fanDir }),
      w.ok(["hold", id, "C1", "--minutes", "20"], { as: w.adminDir }),
      w.json(["hold", id, "D2", "--user", String(fan.id)], { as: w.adminDir }),
      w.eventforge(["hold", id, "D3", "--user", "1"], { as: fanDir }),
    ]);
    // An admin may hold for a customer, and the hold is then the customer's; a customer may not.
    expect(heldForFan).toMatchObject({ user_id: fan.id, status: "HELD" });
    expect(notForOthers).toMatchObject({ code: 1, stderr: expect.stringMatching(/^FORBIDDEN: /u) });
    expect(fanHold).toMatchObject({ show_id: Number(id), status: "HELD" });
    expect(Date.parse(fanHold.hold_expiry) - Date.parse(fanHold.created_at)).toBe(180_000);
    const releasedId = /^reservation (\d+): seat C1 of show \d+ held until \d\d:\d\d \(20 min\)\n/u.exec(
      releasedHold,
    )?.[1];
    expect(releasedHold).toContain(`\nconfirm with: eventforge confirm ${releasedId}   release with: `);

    const [confirmed, released, taken, notYours, getJson, getText, releasedByFan] = await Promise.all([
      w.ok(["confirm", String(soldHold.id)], { as: fanDir }),
      w.json(["release", String(releasedId)], { as: w.adminDir }),
      w.eventforge(["hold", id, "A5"], { as: w.adminDir }),
      w.eventforge(["reservations", "get", String(releasedId)], { as: fanDir }),
      w.json(["reservations", "get", String(fanHold.id)], { as: fanDir }),
      w.ok(["reservations", "get", String(fanHold.id)], { as: w.adminDir }),
      w.json(["release", String(heldForFan.id)], { as: fanDir }),
    ]);
    expect(releasedByFan).toMatchObject({ id: heldForFan.id, status: "CANCELLED" });
    expect(confirmed).toBe(`reservation ${soldHold.id} confirmed: CONFIRMED, seat B10 of show ${id}\n`);
    expect(released).toMatchObject({ id: Number(releasedId), status: "CANCELLED" });
    expect(taken).toEqual({
      code: 1,
      stdout: "",
      stderr: `SEAT_TAKEN: seat A5 is held until ${hhmm(fanHold.hold_expiry)}\n`,
    });
    expect(notYours).toEqual({
      code: 1,
      stdout: "",
      stderr: `RESERVATION_NOT_FOUND: reservation ${releasedId} not found\n`,
    });
    expect(getJson).toEqual(fanHold);
    expect(getText).toMatch(
      new RegExp(
        `^reservation +${fanHold.id}\\nstatus +HELD\\nshow +${id}\\nseat +A5 \\(id ${fanHold.seat_id}\\)\\n`,
        "u",
      ),
    );

    // After the confirm: B10 is sold.
    const [ownerRelease, sold, plain, held, mapJson, heldJson, coloured, noColour, showJson] =
      await Promise.all([
        w.eventforge(["release", String(soldHold.id)], { as: fanDir }),
        w.eventforge(["hold", id, "b10"], { as: w.adminDir }),
        w.ok(["availability", id]),
        w.ok(["availability", id, "--status", "held"]),
        w.json(["availability", id]),
        w.json(["availability", id, "--status", "HELD"]),
        w.ok(["availability", id], { env: { FORCE_COLOR: "1" } }),
        w.ok(["--no-color", "availability", id], { env: { FORCE_COLOR: "1" } }),
        w.json(["shows", "get", id]),
      ]);
    expect(sold).toEqual({ code: 1, stdout: "", stderr: "SEAT_TAKEN: seat B10 is already sold\n" });
    // A confirmed booking is not its owner's to release.
    expect(ownerRelease).toEqual({
      code: 1,
      stdout: "",
      stderr: `INVALID_TRANSITION: reservation ${soldHold.id} is CONFIRMED and cannot be released\n`,
    });

    // Plain: the rows A to Z under a ruler, A5 held, B10 confirmed, C1 free again.
    const dots = (n: number) => ".".repeat(n);
    expect(plain.split("\n").slice(0, 6)).toEqual([
      `Gala, Main Hall, 2031-01-01 20:00 (show ${id})`,
      "",
      "   1        10        20        30        40",
      `A  ${dots(4)}H${dots(35)}`,
      `B  ${dots(9)}X${dots(30)}`,
      `C  ${dots(40)}`,
    ]);
    const rows = plain.split("\n").slice(3, 29);
    expect(rows.map((row) => row[0]).join("")).toBe("ABCDEFGHIJKLMNOPQRSTUVWXYZ");
    expect(rows.slice(2).every((row) => row.slice(1) === `  ${dots(40)}`)).toBe(true);
    expect(plain).toMatch(
      /\n\n\. available 1,038 {3}H held 1 {3}X confirmed 1 {3}1,040 seats, as of \d\d:\d\d:\d\d\n\nheld seats:\n {2}A5 {2}until \d\d:\d\d, [123] min left\n$/u,
    );
    expect(plain).toContain(`A5  until ${hhmm(fanHold.hold_expiry)}, `);
    expect(plain).toMatch(/^[ -~\n]+$/u);

    expect(held.split("\n").slice(2, 5)).toEqual([
      "   1        10        20        30        40",
      "A      H",
      "",
    ]);
    expect(held).toContain("held seats:\n  A5  until ");

    expect(mapJson.counts).toEqual({ AVAILABLE: 1_038, HELD: 1, CONFIRMED: 1 });
    expect(mapJson.seats).toHaveLength(1_040);
    expect(mapJson.seats[4]).toEqual({
      seat_id: fanHold.seat_id,
      seat_number: "A5",
      status: "HELD",
      hold_expiry: fanHold.hold_expiry,
    });
    expect(heldJson.seats).toEqual([mapJson.seats[4]]);
    expect(coloured).toContain("\u001b[33m◐\u001b[39m");
    // --no-color wins over FORCE_COLOR: the plain map, symbols and all.
    expect(noColour).not.toContain("\u001b[");
    expect(noColour).toMatch(/^[ -~\n]+$/u);
    expect(noColour.split("\n").slice(0, 6)).toEqual(plain.split("\n").slice(0, 6));
    expect(showJson).toMatchObject({ id: Number(id), title: "Gala", counts: mapJson.counts });

    // The owner may release a hold: the seat is free again.
    expect(await w.ok(["release", String(fanHold.id)], { as: fanDir })).toBe(
      `reservation ${fanHold.id} released: CANCELLED, seat A5 of show ${id}\n`,
    );
  });

  it("holds several seats together, confirms several together, and shows a reservation's history", async () => {
    const id = gridShowId;
    const fan = (JSON.parse(await readFile(sessionPath(fanDir), "utf8")) as Session).user;
    const held = await w.ok(["hold", id, "F1", "f2", "F3", "--minutes", "5"], { as: fanDir });
    const ids = [
      ...held.matchAll(/^reservation (\d+): seat (F\d) of show \d+ held until \d\d:\d\d \(5 min\)$/gmu),
    ];
    expect(ids.map((m) => m[2])).toEqual(["F1", "F2", "F3"]);
    const [first, second, third] = ids.map((m) => m[1] as string);
    expect(held).toContain(`\nconfirm with: eventforge confirm ${first} ${second} ${third}\n`);

    // One taken seat: none of them is held.
    const refused = await w.eventforge(["hold", id, "F3", "F4"], { as: w.adminDir });
    expect(refused).toMatchObject({
      code: 1,
      stderr: expect.stringMatching(/^SEAT_TAKEN: seat F3 is held until /u),
    });
    const confirmed = await w.ok(["confirm", String(first), String(second)], { as: fanDir });
    expect(confirmed).toBe(
      `reservation ${first} confirmed: CONFIRMED, seat F1 of show ${id}\n` +
        `reservation ${second} confirmed: CONFIRMED, seat F2 of show ${id}\n`,
    );
    await w.ok(["release", String(third)], { as: w.adminDir });
    const history = await w.json(["reservations", "history", String(first)], { as: fanDir });
    expect(
      history.events.map((e: { status: string; actor_user_id: number | null }) => [
        e.status,
        e.actor_user_id,
      ]),
    ).toEqual([
      ["HELD", fan.id],
      ["CONFIRMED", fan.id],
    ]);
    const text = await w.ok(["reservations", "history", String(third)], { as: w.adminDir });
    expect(text).toMatch(
      /^\d{4}-\d\d-\d\d \d\d:\d\d(:\d\d)? +HELD +by user \d+\n.+CANCELLED +by user \d+\n$/su,
    );
    const [map] = await Promise.all([w.json(["availability", id], { as: fanDir })]);
    const f4 = map.seats.find((seat: { seat_number: string }) => seat.seat_number === "F4");
    expect(f4?.status).toBe("AVAILABLE");
  });

  it("lists your reservations newest first, by status and show", async () => {
    const id = await w.createShow("Matinee", ["K1", "K2", "K3"]);
    const held = await w.json(["hold", id, "K1", "K2", "K3"], { as: fanDir });
    const [first, second, third] = (held.reservations as { id: number }[]).map((r) => String(r.id));
    await w.ok(["confirm", String(first)], { as: fanDir });
    await w.ok(["release", String(third)], { as: fanDir });

    const mine = await w.json(["reservations", "list", "--show", id], { as: fanDir });
    expect(mine.items.map((r: { id: number }) => String(r.id))).toEqual([third, second, first]);
    const bought = await w.json(["reservations", "list", "--status", "confirmed", "--show", id], {
      as: fanDir,
    });
    expect(bought.items.map((r: { id: number }) => String(r.id))).toEqual([first]);
    const text = await w.ok(["reservations", "list", "--status", "CANCELLED", "--show", id], { as: fanDir });
    expect(text).toMatch(
      new RegExp(`^id +status .*\n${third} +CANCELLED +${id} +\\d+ +\\d{4}-[^\n]*\n$`, "u"),
    );
    // The admin's own list has none of the fan's; a status that does not exist is a usage error.
    const admins = await w.json(["reservations", "list", "--show", id], { as: w.adminDir });
    expect(admins.items).toEqual([]);
    expect(await w.eventforge(["reservations", "list", "--status", "LOST"], { as: fanDir })).toMatchObject({
      code: 2,
    });
  });
});
