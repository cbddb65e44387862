// What every end-to-end test of the CLI needs: a real server on real PostgreSQL, a scratch home,
// the real `eventforge` process (bin/eventforge.js, as a user runs it), and logins written the way
// `eventforge login` writes them, so each test file stands alone and files run in parallel.
import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createEventForgeClient } from "@eventforge/client";
import { createTestDatabase, type TestDatabase } from "@eventforge/db/testing";
import { loadConfig, type RunningEventForge, startEventForge } from "@eventforge/server";
import { pino } from "pino";
import { afterAll, beforeAll, expect } from "vitest";
import { type Session, saveSession } from "../session.js";

export const PACKAGE_DIR = fileURLToPath(new URL("../..", import.meta.url));
export const BIN = join(PACKAGE_DIR, "bin", "eventforge.js");
export const ADMIN = { email: "boxoffice@example.com", password: "admin password 1" };
export const FAN = {
  name: "Fan One",
  email: "fan1@example.com",
  phone: "+1 555 0101",
  password: "fan password 1",
};
export const JWT_SECRET = "cli-test-secret-that-is-at-least-32-characters";

export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  /** The config directory, i.e. whose login this is. */
  as?: string;
  /** Written to stdin, which is otherwise closed (not a terminal). */
  input?: string;
  env?: Record<string, string>;
  cwd?: string;
  command?: [string, ...string[]];
}

export interface CliWorld {
  app: RunningEventForge;
  /** The scratch directory: HOME of every run and their working directory. */
  scratch: string;
  /** A config directory holding the admin's login. */
  adminDir: string;
  /** Only a clean environment, so nothing of the test runner leaks in. */
  env(options: RunOptions): NodeJS.ProcessEnv;
  /** Runs the CLI as a user would. */
  eventforge(args: string[], options?: RunOptions): Promise<Run>;
  /** A run that must succeed; its stdout parsed as the one JSON document it must be. */
  json<T = any>(args: string[], options?: RunOptions): Promise<T>;
  /** A run that must succeed; its stdout. */
  ok(args: string[], options?: RunOptions): Promise<string>;
  /** Logs in over HTTP and keeps the login in a config directory named `name`, as `eventforge login` does. */
  logIn(
    name: string,
    credentials: { email: string; password: string },
  ): Promise<{ dir: string; session: Session }>;
  /** Signs up FAN and keeps the fan's login; returns its config directory. */
  signUpFan(): Promise<{ dir: string; session: Session }>;
  /** A new show with the admin's token over HTTP, and seats; returns its id as the CLI takes it. */
  createShow(title: string, seatLabels?: string[]): Promise<string>;
}

/** Collects a child's output until it exits. */
export function finished(
  child: ChildProcessWithoutNullStreams,
  onStdout: (stdout: string) => void = () => {},
) {
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

/** Row letters A to Z by seat numbers 1 to 40: the 1,040 labels of `seats add --rows A-Z --numbers 1-40`. */
export const GRID_26_BY_40 = [..."ABCDEFGHIJKLMNOPQRSTUVWXYZ"].flatMap((row) =>
  Array.from({ length: 40 }, (_, i) => `${row}${i + 1}`),
);

/**
 * Boots the world in this file's beforeAll and stops it in its afterAll. The returned object is
 * filled in when beforeAll has run; use it inside tests only.
 */
export function useCliWorld(): CliWorld {
  const world = {} as CliWorld;
  let t: TestDatabase | undefined;

  beforeAll(async () => {
    t = await createTestDatabase();
    const scratch = await mkdtemp(join(tmpdir(), "eventforge-cli-test-"));
    const config = loadConfig({
      DATABASE_URL: t.url,
      PORT: "0",
      EVENTFORGE_DATA_DIR: join(scratch, "server"),
      EVENTFORGE_JWT_SECRET: JWT_SECRET,
      EVENTFORGE_ADMIN_EMAIL: ADMIN.email,
      EVENTFORGE_ADMIN_PASSWORD: ADMIN.password,
      // Each command is a process of its own on a loaded machine: waiting for a connection is not
      // what these tests are about (the 3 s production bound has tests of its own).
      EVENTFORGE_DB_CONNECT_TIMEOUT_MS: "30000",
    });
    const app = await startEventForge(config, pino({ level: "silent" }));
    const env = (options: RunOptions): NodeJS.ProcessEnv => ({
      PATH: process.env.PATH ?? "",
      HOME: scratch,
      TZ: "UTC",
      EVENTFORGE_URL: app.url,
      EVENTFORGE_CONFIG_DIR: options.as ?? join(scratch, "nobody"),
      ...options.env,
    });
    const eventforge = (args: string[], options: RunOptions = {}) => {
      const [program, ...programArgs] = options.command ?? [process.execPath, BIN];
      const child = spawn(program, [...programArgs, ...args], {
        cwd: options.cwd ?? scratch,
        env: env(options),
      });
      child.stdin.end(options.input);
      return finished(child);
    };
    const logIn = async (name: string, credentials: { email: string; password: string }) => {
      const login = await createEventForgeClient({ url: app.url }).auth.login.mutate({
        email: credentials.email,
        password: credentials.password,
      });
      const session: Session = {
        url: app.url,
        access_token: login.access_token,
        expires_at: new Date(Date.now() + login.expires_in * 1000).toISOString(),
        user: { id: login.user.id, email: login.user.email, role: login.user.role },
      };
      const dir = join(scratch, name);
      await saveSession(dir, session);
      return { dir, session };
    };
    const admin = await logIn("admin", ADMIN);
    const asAdmin = createEventForgeClient({ url: app.url, token: admin.session.access_token });

    Object.assign(world, {
      app,
      scratch,
      adminDir: admin.dir,
      env,
      eventforge,
      async json(args: string[], options: RunOptions = {}) {
        const run = await eventforge(["--json", ...args], options);
        expect(run, run.stderr).toMatchObject({ code: 0, stderr: "" });
        return JSON.parse(run.stdout);
      },
      async ok(args: string[], options: RunOptions = {}) {
        const run = await eventforge(args, options);
        expect(run.code, run.stderr).toBe(0);
        return run.stdout;
      },
      logIn,
      async signUpFan() {
        await createEventForgeClient({ url: app.url }).users.create.mutate({
          name: FAN.name,
          email: FAN.email,
          phone_number: FAN.phone,
          password: FAN.password,
        });
        return logIn("fan", FAN);
      },
      async createShow(title: string, seatLabels: string[] = []) {
        const show = await asAdmin.shows.create.mutate({
          title,
          venue: "Main Hall",
          starts_at: new Date("2031-01-01T20:00:00Z"),
        });
        if (seatLabels.length > 0)
          await asAdmin.seats.add.mutate({ show_id: show.id, seat_numbers: seatLabels });
        return String(show.id);
      },
    } satisfies CliWorld);
  });

  afterAll(async () => {
    await world.app?.stop();
    await t?.drop();
    if (world.scratch) await rm(world.scratch, { recursive: true, force: true });
  });

  return world;
}
