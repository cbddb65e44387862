// The real `eventforge` process (bin/eventforge.js, as a user runs it) against a real server on
// real PostgreSQL, over HTTP.
import { spawn } from "node:child_process";
import { mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
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
const REPOSITORY_DIR = fileURLToPath(new URL("../../..", import.meta.url));
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

/** Runs the CLI as a user would; only a clean environment, so nothing of the test runner leaks in. */
function eventforge(args: string[], options: RunOptions = {}): Promise<Run> {
  const [program, ...programArgs] = options.command ?? [process.execPath, BIN];
  const child = spawn(program, [...programArgs, ...args], {
    cwd: options.cwd ?? scratch,
    env: {
      PATH: process.env.PATH ?? "",
      HOME: scratch,
      TZ: "UTC",
      EVENTFORGE_URL: app.url,
      EVENTFORGE_CONFIG_DIR: options.as ?? join(scratch, "nobody"),
      ...options.env,
    },
    stdio: ["pipe", "pipe", "pipe"],
  });
  child.stdin.end(options.input);
  let stdout = "";
  let stderr = "";
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
    stdout += chunk;
  });
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
    stderr += chunk;
  });
  return new Promise((resolve, reject) => {
    child.once("error", reject);
    child.once("close", (code) => resolve({ code, stdout, stderr }));
  });
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

    const [list, listJson, get, asCustomer] = await Promise.all([
      ok(["shows", "list"]),
      json(["shows", "list"]),
      ok(["shows", "get", String(show.id)]),
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
        "--skip-existing to add them\n",
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
