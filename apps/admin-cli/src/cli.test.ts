// The real `eventforge` process (bin/eventforge.js, as a user runs it) against a real server on
// real PostgreSQL, over HTTP.
import { type ChildProcessWithoutNullStreams, spawn, spawnSync } from "node:child_process";
import { mkdtemp, readFile, rm, stat } from "node:fs/promises";
import { createServer as createHttpServer } from "node:http";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createTestDatabase, type TestDatabase } from "@eventforge/db/testing";
import { issueAccessToken } from "@eventforge/domain";
import { loadConfig, type RunningEventForge, startEventForge } from "@eventforge/server";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Session, saveSession, sessionPath } from "./session.js";

const PACKAGE_DIR = fileURLToPath(new URL("..", import.meta.url));
const BIN = join(PACKAGE_DIR, "bin", "eventforge.js");
const ADMIN = { email: "boxoffice@example.com", password: "admin password 1" };
const FAN = { name: "Fan One", email: "fan1@example.com", phone: "+1 555 0101", password: "fan password 1" };
const JWT_SECRET = "cli-test-secret-that-is-at-least-32-characters";

let t: TestDatabase;
let app: RunningEventForge;
let scratch: string;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

interface RunOptions {
  /** The config directory, i.e. whose login this is. */
  as?: string;
  /** Written to stdin, which is otherwise closed (not a terminal). */
  input?: string;
  env?: Record<string, string>;
  cwd?: string;
  command?: [string, ...string[]];
}

/** Only a clean environment, so nothing of the test runner leaks in. */
function cliEnv(options: RunOptions): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH ?? "",
    HOME: scratch,
    TZ: "UTC",
    EVENTFORGE_URL: app.url,
    EVENTFORGE_CONFIG_DIR: options.as ?? join(scratch, "nobody"),
    ...options.env,
  };
}

/** Collects a child's output until it exits. */
function finished(child: ChildProcessWithoutNullStreams, onStdout: (stdout: string) => void = () => {}) {
  let stdout = "";
  let stderr = "";
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
    stdout += chunk;
    onStdout(stdout);
  });
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
    stderr += chunk;
  });
  return new Promise<Run>((resolve, reject) => {
    child.once("error", reject);
    child.once("close", (code) => resolve({ code, stdout, stderr }));
  });
}

/** Runs the CLI as a user would. */
function eventforge(args: string[], options: RunOptions = {}): Promise<Run> {
  const [program, ...programArgs] = options.command ?? [process.execPath, BIN];
  const child = spawn(program, [...programArgs, ...args], {
    cwd: options.cwd ?? scratch,
    env: cliEnv(options),
  });
  child.stdin.end(options.input);
  return finished(child);
}

/** A run that must succeed; its stdout parsed as the one JSON document it must be. */
async function json<T = any>(args: string[], options: RunOptions = {}): Promise<T> {
  const run = await eventforge(["--json", ...args], options);
  expect(run, run.stderr).toMatchObject({ code: 0, stderr: "" });
  return JSON.parse(run.stdout) as T;
}

/** A run that must succeed; its stdout. */
async function ok(args: string[], options: RunOptions = {}): Promise<string> {
  const run = await eventforge(args, options);
  expect(run.code, run.stderr).toBe(0);
  return run.stdout;
}

let adminDir: string;
let fanDir: string;
/** The show with the 26×40 grid, from the seats tests. */
let gridShowId: string;

beforeAll(async () => {
  t = await createTestDatabase();
  scratch = await mkdtemp(join(tmpdir(), "eventforge-cli-test-"));
  const config = loadConfig({
    DATABASE_URL: t.url,
    PORT: "0",
    EVENTFORGE_DATA_DIR: join(scratch, "server"),
    EVENTFORGE_JWT_SECRET: JWT_SECRET,
    EVENTFORGE_ADMIN_EMAIL: ADMIN.email,
    EVENTFORGE_ADMIN_PASSWORD: ADMIN.password,
  });
  app = await startEventForge(config, pino({ level: "silent" }));
  adminDir = join(scratch, "admin");
  fanDir = join(scratch, "fan");
});
afterAll(async () => {
  await app?.stop();
  await t?.drop();
  await rm(scratch, { recursive: true, force: true });
});

describe("logging in", () => {
  it("keeps the login owner-only, and whoami and logout use it", async () => {
    const [login, created] = await Promise.all([
      eventforge(["login", "--email", ADMIN.email, "--password", ADMIN.password], { as: adminDir }),
      // No --password and stdin is not a terminal: piped input is not taken without --password-stdin.
      eventforge(["users", "create", "--name", FAN.name, "--email", FAN.email, "--phone", FAN.phone], {
        input: `${FAN.password}\n`,
      }),
    ]);
    expect(login).toMatchObject({ code: 0, stderr: "" });
    expect(login.stdout).toMatch(
      new RegExp(
        `^logged in to ${app.url} as ${ADMIN.email} \\(admin\\) until \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d\\n$`,
        "u",
      ),
    );
    expect((await stat(adminDir)).mode & 0o777).toBe(0o700);
    expect((await stat(sessionPath(adminDir))).mode & 0o777).toBe(0o600);
    const saved = JSON.parse(await readFile(sessionPath(adminDir), "utf8")) as Session;
    expect(saved).toMatchObject({ url: app.url, user: { email: ADMIN.email, role: "admin" } });
    expect(login.stdout).not.toContain(saved.access_token);
    expect(created).toMatchObject({ code: 2, stdout: "" });
    expect(created.stderr).toMatch(/^error: no password: /u);

    const [whoami, whoamiJson] = await Promise.all([
      ok(["whoami"], { as: adminDir }),
      json(["whoami"], { as: adminDir }),
    ]);
    expect(whoami).toContain(`${ADMIN.email} (Administrator, admin, user `);
    expect(whoamiJson).toMatchObject({ url: app.url, user: { email: ADMIN.email, role: "admin" } });
    expect(JSON.stringify(whoamiJson)).not.toContain("password");

    const throwaway = join(scratch, "throwaway");
    await ok(["login", "--email", ADMIN.email, "--password-stdin"], {
      as: throwaway,
      input: `${ADMIN.password}\n`,
    });
    expect(await ok(["logout"], { as: throwaway })).toBe(`logged out of ${app.url}\n`);
    await expect(stat(sessionPath(throwaway))).rejects.toThrow();
    expect(await eventforge(["whoami"], { as: throwaway })).toEqual({
      code: 1,
      stdout: "",
      stderr: `NOT_LOGGED_IN: not logged in to ${app.url}: run \`eventforge login\`\n`,
    });
    expect(await ok(["logout"], { as: throwaway })).toBe("was not logged in\n");
  });

  it("refuses a wrong password, and a missing one when there is no terminal to ask on", async () => {
    const [wrong, noPassword] = await Promise.all([
      eventforge(["login", "--email", ADMIN.email, "--password", "not it"], { as: join(scratch, "wrong") }),
      eventforge(["login", "--email", ADMIN.email], { as: join(scratch, "wrong") }),
    ]);
    expect(wrong).toEqual({ code: 1, stdout: "", stderr: "INVALID_CREDENTIALS: invalid credentials\n" });
    expect(noPassword.code).toBe(2);
    expect(noPassword.stderr).toMatch(/^error: no password: give --password or --password-stdin/u);
    await expect(stat(join(scratch, "wrong"))).rejects.toThrow();
  });
});

describe("users and shows", () => {
  it("creates a customer, and shows that can be listed and read", async () => {
    const fan = await json(
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
      eventforge([
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
      eventforge(["login", "--email", FAN.email, "--password", FAN.password], { as: fanDir }),
      json(
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
          as: adminDir,
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
      ok(["shows", "list"]),
      json(["shows", "list"]),
      ok(["shows", "get", String(show.id)]),
      json(["shows", "get", String(show.id)]),
      eventforge(["shows", "create", "--title", "t", "--venue", "v", "--starts-at", "2031-01-01T20:00Z"], {
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

describe("seats", () => {
  it("adds a 26×40 grid, a range and a file, in natural order", async () => {
    const [grid, ranged] = await Promise.all([
      json(
        ["shows", "create", "--title", "Gala", "--venue", "Main Hall", "--starts-at", "2031-01-01T20:00Z"],
        {
          as: adminDir,
        },
      ),
      json(["shows", "create", "--title", "Club", "--venue", "Cellar", "--starts-at", "2031-01-02T20:00Z"], {
        as: adminDir,
      }),
    ]);
    const [gridAdded, rangeAdded] = await Promise.all([
      ok(["seats", "add", String(grid.id), "--rows", "A-Z", "--numbers", "1-40"], { as: adminDir }),
      json(["seats", "add", String(ranged.id), "R8-R11", "S01-S02", "--file", "src/testdata/boxes.csv"], {
        as: adminDir,
        cwd: PACKAGE_DIR,
      }),
    ]);
    expect(gridAdded).toBe(`added 1,040 seats to show ${grid.id}\n`);
    gridShowId = String(grid.id);
    expect(rangeAdded).toMatchObject({ show_id: ranged.id, added: 11, skipped: 0 });

    const [gridSeats, rangeSeats] = await Promise.all([
      json(["seats", "list", String(grid.id)]),
      ok(["seats", "list", String(ranged.id)]),
    ]);
    const gridLabels = gridSeats.seats.map((s: { seat_number: string }) => s.seat_number);
    expect(gridLabels).toHaveLength(1_040);
    expect(gridLabels.slice(0, 11)).toEqual([
      "A1",
      "A2",
      "A3",
      "A4",
      "A5",
      "A6",
      "A7",
      "A8",
      "A9",
      "A10",
      "A11",
    ]);
    expect(gridLabels.at(-1)).toBe("Z40");
    const rangeLabels = rangeSeats
      .split("\n")
      .slice(1, -1)
      .map((line) => line.split(/ {2,}/u)[1]);
    expect(rangeLabels).toEqual([
      "BOX 1",
      "BOX 2",
      "BOX 3",
      "BOX 4",
      "R8",
      "R9",
      "R10",
      "R11",
      "S01",
      "S02",
      "STAGE-LEFT",
    ]);
    expect(rangeAdded.seats.map((s: { seat_number: string }) => s.seat_number)).toEqual(rangeLabels);
  });

  it("goes in chunks, all or nothing each, says what a failed chunk left, and --skip-existing finishes", async () => {
    const show = await json(
      ["shows", "create", "--title", "Chunks", "--venue", "Hall", "--starts-at", "2031-01-03T20:00Z"],
      { as: adminDir },
    );
    const id = String(show.id);
    await ok(["seats", "add", id, "b5"], { as: adminDir });
    const grid = ["--rows", "A-C", "--numbers", "1-10", "--chunk-size", "10"];
    expect(await eventforge(["seats", "add", id, ...grid], { as: adminDir })).toEqual({
      code: 1,
      stdout: "",
      stderr:
        "DUPLICATE_SEAT_LABEL: already on the show: B5; chunk 2 of 3 failed and added nothing; chunk 1 was added " +
        "(10 seats); not added: 20 of 30 seats: fix the cause and run the same command with " +
        "--skip-existing to add the rest\n",
    });
    expect((await json(["seats", "list", id])).seats).toHaveLength(11);
    const finished = await json(["seats", "add", id, ...grid, "--skip-existing"], { as: adminDir });
    expect(finished).toMatchObject({ added: 19, skipped: 11 });
    expect(await ok(["seats", "add", id, "A1-A3", "--skip-existing"], { as: adminDir })).toBe(
      `nothing to add: all 3 seats are already on show ${id}\n`,
    );
    expect((await json(["seats", "list", id])).seats).toHaveLength(30);
  });

  it("refuses repeats before sending anything, and shorthand it cannot read as a usage error", async () => {
    const show = await json(
      ["shows", "create", "--title", "Refusals", "--venue", "Hall", "--starts-at", "2031-01-04T20:00Z"],
      { as: adminDir },
    );
    const id = String(show.id);
    const runs = await Promise.all([
      eventforge(["seats", "add", id, "A1-A3", " a2"], { as: adminDir }),
      eventforge(["seats", "add", id, "A3-A1"], { as: adminDir }),
      eventforge(["seats", "add", id, "--rows", "A-C"], { as: adminDir }),
      eventforge(["seats", "add", id], { as: adminDir }),
      eventforge(["seats", "add", id, "--file", "no-such-file.csv"], { as: adminDir }),
      eventforge(["seats", "add", id, "A1"], { as: fanDir }),
    ]);
    expect(runs.map(({ code, stderr }) => [code, stderr])).toEqual([
      [1, "DUPLICATE_SEAT_LABEL: repeated: A2; nothing was added\n"],
      [2, "error: A3-A1: a range goes from low to high\n"],
      [2, "error: --rows and --numbers go together: --rows A-Z --numbers 1-40\n"],
      [2, "error: no seats given: name labels, a range, a grid or a --file\n"],
      [1, "FILE_UNREADABLE: cannot read no-such-file.csv: ENOENT\n"],
      [1, "FORBIDDEN: this needs an admin account; nothing was added\n"],
    ]);
    expect((await json(["seats", "list", id])).seats).toEqual([]);
  });
});

describe("holds and the seat map", () => {
  const hhmm = (iso: string) => iso.slice(11, 16); // the CLI runs with TZ=UTC

  it("hold, confirm, release and read reservations; the map shows each seat's status", async () => {
    const id = gridShowId;
    const fan = (JSON.parse(await readFile(sessionPath(fanDir), "utf8")) as Session).user;
    const [fanHold, soldHold, releasedHold, heldForFan, notForOthers] = await Promise.all([
      json(["hold", id, "a5", "--minutes", "3"], { as: fanDir }),
      json(["hold", id, "B10"], { as: fanDir }),
      ok(["hold", id, "C1", "--minutes", "20"], { as: adminDir }),
      json(["hold", id, "D2", "--user", String(fan.id)], { as: adminDir }),
      eventforge(["hold", id, "D3", "--user", "1"], { as: fanDir }),
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
      ok(["confirm", String(soldHold.id)], { as: fanDir }),
      json(["release", String(releasedId)], { as: adminDir }),
      eventforge(["hold", id, "A5"], { as: adminDir }),
      eventforge(["reservations", "get", String(releasedId)], { as: fanDir }),
      json(["reservations", "get", String(fanHold.id)], { as: fanDir }),
      ok(["reservations", "get", String(fanHold.id)], { as: adminDir }),
      json(["release", String(heldForFan.id)], { as: fanDir }),
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
        eventforge(["release", String(soldHold.id)], { as: fanDir }),
        eventforge(["hold", id, "b10"], { as: adminDir }),
        ok(["availability", id]),
        ok(["availability", id, "--status", "held"]),
        json(["availability", id]),
        json(["availability", id, "--status", "HELD"]),
        ok(["availability", id], { env: { FORCE_COLOR: "1" } }),
        ok(["--no-color", "availability", id], { env: { FORCE_COLOR: "1" } }),
        json(["shows", "get", id]),
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
    expect(await ok(["release", String(fanHold.id)], { as: fanDir })).toBe(
      `reservation ${fanHold.id} released: CANCELLED, seat A5 of show ${id}\n`,
    );
  });

  it("holds several seats together, confirms several together, and shows a reservation's history", async () => {
    const id = gridShowId;
    const fan = (JSON.parse(await readFile(sessionPath(fanDir), "utf8")) as Session).user;
    const held = await ok(["hold", id, "F1", "f2", "F3", "--minutes", "5"], { as: fanDir });
    const ids = [
      ...held.matchAll(/^reservation (\d+): seat (F\d) of show \d+ held until \d\d:\d\d \(5 min\)$/gmu),
    ];
    expect(ids.map((m) => m[2])).toEqual(["F1", "F2", "F3"]);
    const [first, second, third] = ids.map((m) => m[1] as string);
    expect(held).toContain(`\nconfirm with: eventforge confirm ${first} ${second} ${third}\n`);

    // One taken seat: none of them is held.
    const refused = await eventforge(["hold", id, "F3", "F4"], { as: adminDir });
    expect(refused).toMatchObject({
      code: 1,
      stderr: expect.stringMatching(/^SEAT_TAKEN: seat F3 is held until /u),
    });
    const confirmed = await ok(["confirm", String(first), String(second)], { as: fanDir });
    expect(confirmed).toBe(
      `reservation ${first} confirmed: CONFIRMED, seat F1 of show ${id}\n` +
        `reservation ${second} confirmed: CONFIRMED, seat F2 of show ${id}\n`,
    );
    await ok(["release", String(third)], { as: adminDir });
    const history = await json(["reservations", "history", String(first)], { as: fanDir });
    expect(
      history.events.map((e: { status: string; actor_user_id: number | null }) => [
        e.status,
        e.actor_user_id,
      ]),
    ).toEqual([
      ["HELD", fan.id],
      ["CONFIRMED", fan.id],
    ]);
    const text = await ok(["reservations", "history", String(third)], { as: adminDir });
    expect(text).toMatch(
      /^\d{4}-\d\d-\d\d \d\d:\d\d(:\d\d)? +HELD +by user \d+\n.+CANCELLED +by user \d+\n$/su,
    );
    // reservations list: newest first, filtered by status and show, a customer's own only.
    const mine = await json(["reservations", "list", "--show", id], { as: fanDir });
    const mineIds = mine.items.map((r: { id: number }) => String(r.id));
    expect(mineIds.slice(0, 3)).toEqual([third, second, first]);
    expect(mine.items.every((r: { user_id: number }) => r.user_id === fan.id)).toBe(true);
    const bought = await json(["reservations", "list", "--status", "confirmed", "--show", id], {
      as: fanDir,
    });
    expect(bought.items.map((r: { id: number }) => String(r.id)).slice(0, 2)).toEqual([second, first]);
    expect(bought.items.every((r: { status: string }) => r.status === "CONFIRMED")).toBe(true);
    const listed = await ok(["reservations", "list", "--status", "CANCELLED", "--show", id], { as: fanDir });
    expect(listed).toMatch(new RegExp(`^id +status .*\n${third} +CANCELLED +${id} +d+ +d{4}-`, "u"));
    expect(await eventforge(["reservations", "list", "--status", "LOST"], { as: fanDir })).toMatchObject({
      code: 2,
    });
    const [map] = await Promise.all([json(["availability", id], { as: fanDir })]);
    const f4 = map.seats.find((seat: { seat_number: string }) => seat.seat_number === "F4");
    expect(f4?.status).toBe("AVAILABLE");
  });
});

describe("failures", () => {
  /** A port that nothing listens on. */
  async function closedPort(): Promise<number> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const address = server.address();
    await new Promise((resolve) => server.close(resolve));
    if (typeof address !== "object" || address === null) throw new Error("no port");
    return address.port;
  }

  /** A config dir holding a saved login to the test server with this token. */
  async function loginWithToken(name: string, token: string): Promise<string> {
    const dir = join(scratch, name);
    await saveSession(dir, {
      url: app.url,
      access_token: token,
      expires_at: new Date().toISOString(),
      user: { id: 1, email: ADMIN.email, role: "admin" },
    });
    return dir;
  }

  it("each has one line on stderr with its reason, and exit code 1; nothing on stdout, even with --json", async () => {
    const admin = (JSON.parse(await readFile(sessionPath(adminDir), "utf8")) as Session).user;
    const secret = new TextEncoder().encode(JWT_SECRET);
    const expired = await issueAccessToken({ secret, ttlSeconds: -10 }, { userId: admin.id, role: "admin" });
    const [expiredDir, forgedDir] = await Promise.all([
      loginWithToken("expired", expired.access_token),
      loginWithToken("forged", "not.a.jwt"),
    ]);
    const elsewhere = `http://127.0.0.1:${await closedPort()}`;

    const runs = await Promise.all([
      eventforge(["--json", "shows", "list", "--url", elsewhere]),
      eventforge(["--json", "whoami"], { as: expiredDir }),
      eventforge(["hold", gridShowId, "D1"], { as: expiredDir }),
      eventforge(["whoami"], { as: forgedDir }),
      eventforge(["--json", "hold", gridShowId, "D1"]),
      // Logged in to the test server, the token is not sent anywhere else.
      eventforge(["whoami", "--url", elsewhere], { as: adminDir }),
      eventforge(["--json", "hold", gridShowId, "D1", "--minutes", "21"], { as: fanDir }),
      eventforge(["--json", "shows", "get", "2000000000"]),
      eventforge(["hold", gridShowId, "ZZ99"], { as: fanDir }),
    ]);
    expect(runs).toEqual(
      [
        `UNREACHABLE: cannot reach the EventForge server at ${elsewhere} (ECONNREFUSED): is it running? Set --url or EVENTFORGE_URL`,
        "TOKEN_EXPIRED: your login has expired: run `eventforge login` again",
        "TOKEN_EXPIRED: your login has expired: run `eventforge login` again",
        `INVALID_TOKEN: ${app.url} does not accept your saved login (did its secret change?): run \`eventforge login\` again`,
        `NOT_LOGGED_IN: not logged in to ${app.url}: run \`eventforge login\``,
        `NOT_LOGGED_IN: not logged in to ${elsewhere}: run \`eventforge login\``,
        "INVALID_INPUT: invalid input: hold_minutes: Too big: expected number to be <=20",
        "SHOW_NOT_FOUND: show 2000000000 not found",
        `SEAT_NOT_FOUND: show ${gridShowId} has no seat ZZ99`,
      ].map((line) => ({ code: 1, stdout: "", stderr: `${line}\n` })),
    );
    // auth.login is public: the saved token that the server rejects does not stop a new login.
    expect(
      await ok(["login", "--email", ADMIN.email, "--password", ADMIN.password], { as: forgedDir }),
    ).toMatch(new RegExp(`^logged in to ${app.url} as ${ADMIN.email} `, "u"));
    expect(await ok(["whoami"], { as: forgedDir })).toContain(`${ADMIN.email} (Administrator, admin, user `);
  });

  it("from something that is not an EventForge server is UNEXPECTED_RESPONSE", async () => {
    const server = createHttpServer((_request, response) => {
      response.writeHead(404, { "content-type": "text/plain" }).end("Not Found");
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const address = server.address();
      if (typeof address !== "object" || address === null) throw new Error("no port");
      const url = `http://127.0.0.1:${address.port}`;
      const run = await eventforge(["--json", "shows", "list", "--url", url]);
      expect(run).toMatchObject({ code: 1, stdout: "" });
      expect(run.stderr).toMatch(
        new RegExp(
          `^UNEXPECTED_RESPONSE: ${url} did not answer like an EventForge server( \\(HTTP 404\\))?: \\S.*\\n$`,
          "u",
        ),
      );
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it("of usage exit with 2", async () => {
    const runs = await Promise.all([
      eventforge(["--json", "bogus"]),
      eventforge(["shows", "get", "abc"]),
      eventforge(["hold", "1"]),
      eventforge(["hold", "1", "A1", "--minutes", "ten"]),
      eventforge(["--url", "not a url", "shows", "list"]),
      eventforge([]),
    ]);
    expect(runs.map((run) => [run.code, run.stdout, run.stderr.split("\n")[0]])).toEqual([
      [2, "", "error: unknown command 'bogus'"],
      [
        2,
        "",
        "error: command-argument value 'abc' is invalid for argument 'show-id'. expected a positive whole number",
      ],
      [2, "", "error: missing required argument 'labels'"],
      [2, "", "error: option '--minutes <n>' argument 'ten' is invalid. expected a whole number"],
      [2, "", "error: not a url is not a URL: use the server's address, like http://127.0.0.1:8001"],
      [2, "", "Usage: eventforge [options] [command]"],
    ]);
    const help = await eventforge(["seats", "add", "--help"]);
    expect(help).toMatchObject({ code: 0, stderr: "" });
    expect(help.stdout).toContain("Usage: eventforge seats add [options] <show-id> [labels...]");
  });
});

describe("from the repository root", () => {
  it("`pnpm -s eventforge` passes every argument and reads files relative to where it was typed", async () => {
    const show = await json(
      ["shows", "create", "--title", "Via pnpm", "--venue", "Hall", "--starts-at", "2031-01-05T20:00Z"],
      { as: adminDir },
    );
    // From apps/, which is no package: pnpm runs the root's script, whose `cd "$INIT_CWD"` brings it back
    // here. (In apps/admin-cli pnpm would run the bin directly and the script would not be tested.)
    const added = await json(
      ["seats", "add", String(show.id), "BOX 9", "--file", "admin-cli/src/testdata/boxes.csv"],
      {
        as: adminDir,
        cwd: join(PACKAGE_DIR, ".."),
        command: ["pnpm", "-s", "eventforge"],
      },
    );
    expect(added.seats.map((s: { seat_number: string }) => s.seat_number)).toEqual([
      "BOX 1",
      "BOX 2",
      "BOX 3",
      "BOX 4",
      "BOX 9",
      "STAGE-LEFT",
    ]);
  });
});

// util-linux `script` runs a command on a pseudo-terminal; BSD `script` (macOS) takes other arguments.
const hasScript = /util-linux/u.test(spawnSync("script", ["--version"], { encoding: "utf8" }).stdout ?? "");

describe.skipIf(!hasScript)("on a terminal", () => {
  /** Runs the CLI on a pseudo-terminal; when `answer.prompt` appears, types `answer.text` and Enter. */
  function onTerminal(args: string[], options: RunOptions & { answer?: { prompt: string; text: string } }) {
    const quoted = [process.execPath, BIN, ...args].map((arg) => `'${arg.replaceAll("'", "'\\''")}'`);
    const child = spawn("script", ["-qec", quoted.join(" "), "/dev/null"], {
      cwd: scratch,
      env: cliEnv(options),
    });
    const { answer } = options;
    if (!answer) child.stdin.end();
    return finished(child, (stdout) => {
      if (answer && stdout.includes(answer.prompt) && child.stdin.writable) {
        child.stdin.end(`${answer.text}\r`);
      }
    });
  }

  it("asks for the password without echoing it, and shows the progress of a large import", async () => {
    const dir = join(scratch, "terminal");
    const login = await onTerminal(["login", "--email", ADMIN.email], {
      as: dir,
      answer: { prompt: `Password for ${ADMIN.email}`, text: ADMIN.password },
    });
    expect(login.code, login.stdout).toBe(0);
    expect(login.stdout).toContain(`logged in to ${app.url} as ${ADMIN.email}`);
    expect(login.stdout).not.toContain(ADMIN.password);

    const show = await json(
      ["shows", "create", "--title", "Arena", "--venue", "Dome", "--starts-at", "2031-01-06T20:00Z"],
      { as: dir },
    );
    const added = await onTerminal(
      ["seats", "add", String(show.id), "--rows", "A-E", "--numbers", "1-1000"],
      {
        as: dir,
      },
    );
    expect(added.code, added.stdout).toBe(0);
    expect(added.stdout).toMatch(/adding seats \S+ 2,000 of 5,000/u);
    expect(added.stdout).toContain(`added 5,000 seats to show ${show.id} in 3 requests of up to 2,000`);
  });
});
