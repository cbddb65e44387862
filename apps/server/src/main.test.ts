import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { chmod, mkdtemp, readdir, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { createInterface } from "node:readline";
import { setTimeout as delay } from "node:timers/promises";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { inheritedEnvironment, SERVER_DIR, SOURCE_SERVER_ARGS } from "./process-harness.js";

// The real process from source with embedded PostgreSQL, talking real HTTP (prod.test.ts runs the
// compiled one that `pnpm start` runs).

const SERVING = "EventForge is serving /trpc";
const GENERATED_ADMIN = "created a development admin";
const ADMIN = { email: "ops@example.com", password: "correct horse battery staple" };

// ---- processes ----------------------------------------------------------------------------

interface LogLine {
  msg?: string;
  [field: string]: unknown;
}

interface ExitStatus {
  code: number | null;
  signal: NodeJS.Signals | null;
}

interface ServerProcess {
  readonly child: ChildProcess;
  readonly dataDir: string;
  /** stdout, one parsed pino line each. */
  readonly logs: LogLine[];
  stdout: string;
  stderr: string;
  /** Set once the process has exited and its output is fully read. */
  exit: ExitStatus | undefined;
}

interface RunningServer {
  url: string;
  process: ServerProcess;
  logs: LogLine[];
  /** Sends `signal` to the process and waits for it to exit. */
  stop(signal: NodeJS.Signals): Promise<ExitStatus>;
}

const spawned: ServerProcess[] = [];
const tempDirs: string[] = [];

function spawnServer(dataDir: string, settings: Record<string, string>): ServerProcess {
  const child = spawn(process.execPath, SOURCE_SERVER_ARGS, {
    cwd: SERVER_DIR,
    env: { ...inheritedEnvironment(), EVENTFORGE_DATA_DIR: dataDir, ...settings },
    stdio: ["ignore", "pipe", "pipe"],
    // Its own process group, so that cleanup can kill node and PostgreSQL together.
    detached: true,
  });
  const server: ServerProcess = { child, dataDir, logs: [], stdout: "", stderr: "", exit: undefined };
  createInterface({ input: child.stdout }).on("line", (line) => {
    server.stdout += `${line}\n`;
    try {
      server.logs.push(JSON.parse(line) as LogLine);
    } catch {
      // Not pino output; kept in `stdout` for failure messages.
    }
  });
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
    server.stderr += chunk;
  });
  child.once("close", (code, signal) => {
    server.exit = { code, signal };
  });
  spawned.push(server);
  return server;
}

async function startServer(dataDir: string, settings: Record<string, string> = {}): Promise<RunningServer> {
  const server = spawnServer(dataDir, { NODE_ENV: "development", PORT: "0", ...settings });
  // Hang guards, not speed bounds: tsx and an embedded initdb and start on a loaded machine.
  const serving = await waitForLogLine(server, SERVING, 180_000);
  const url = serving.url;
  if (typeof url !== "string") throw new Error(`no url in ${JSON.stringify(serving)}`);
  return {
    url,
    process: server,
    logs: server.logs,
    stop: async (signal) => {
      server.child.kill(signal);
      return waitForExit(server, 60_000);
    },
  };
}

async function waitFor<T>(
  what: string,
  probe: () => T | undefined | Promise<T | undefined>,
  timeoutMs: number,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await delay(50);
  }
}

function describeOutput(server: ServerProcess): string {
  return `exit ${JSON.stringify(server.exit)}\n--- stdout\n${server.stdout}--- stderr\n${server.stderr}`;
}

async function waitForLogLine(server: ServerProcess, msgPrefix: string, timeoutMs: number): Promise<LogLine> {
  return waitFor(
    `log line "${msgPrefix}"`,
    () => {
      const line = server.logs.find((l) => l.msg?.startsWith(msgPrefix));
      if (line) return line;
      if (server.exit) throw new Error(`server exited before "${msgPrefix}":\n${describeOutput(server)}`);
      return undefined;
    },
    timeoutMs,
  );
}

async function waitForExit(server: ServerProcess, timeoutMs: number): Promise<ExitStatus> {
  return waitFor("the server to exit", () => server.exit, timeoutMs);
}

/** Pids of PostgreSQL servers whose command line names `dataDir` (the postmaster: `postgres -D <dir>`). */
async function postgresProcessesUsing(dataDir: string): Promise<number[]> {
  const pids: number[] = [];
  for (const entry of await readdir("/proc")) {
    if (!/^\d+$/u.test(entry)) continue;
    const args = (await readFile(`/proc/${entry}/cmdline`, "utf8").catch(() => "")).split("\0");
    if (basename(args[0] ?? "") === "postgres" && args.some((arg) => arg.includes(dataDir))) {
      pids.push(Number(entry));
    }
  }
  return pids;
}

/** PostgreSQL may take a moment to go after its parent exits (longer on a loaded machine). */
async function expectNoPostgresLeft(dataDir: string): Promise<void> {
  const left = await waitFor(
    "PostgreSQL to stop",
    async () => {
      const pids = await postgresProcessesUsing(dataDir);
      return pids.length === 0 ? pids : undefined;
    },
    30_000,
  ).catch(() => postgresProcessesUsing(dataDir));
  expect(left, `PostgreSQL still running on ${dataDir}`).toEqual([]);
}

async function freshDataDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "eventforge-main-test-"));
  tempDirs.push(dir);
  // mkdtemp makes it 0700; PostgreSQL runs as the `postgres` user and must reach <dir>/postgres.
  await chmod(dir, 0o755);
  return dir;
}

afterEach(async () => {
  // Whatever happened in the test, nothing it started keeps running.
  for (const server of spawned.splice(0)) {
    if (server.child.pid === undefined) continue;
    try {
      process.kill(-server.child.pid, "SIGKILL");
    } catch {
      // The group is already gone.
    }
    for (const pid of await postgresProcessesUsing(server.dataDir)) {
      try {
        process.kill(pid, "SIGKILL");
      } catch {
        // Already gone.
      }
    }
  }
});

afterAll(async () => {
  for (const dir of tempDirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

// ---- HTTP ---------------------------------------------------------------------------------

interface Show {
  id: number;
  title: string;
  venue: string;
  starts_at: string;
}

/** One tRPC call over HTTP in superjson's wire format; returns `result.data.json`. */
async function trpc<T>(
  url: string,
  procedure: string,
  options: { method: "GET" | "POST"; input?: unknown; token?: string },
): Promise<T> {
  const wireInput = JSON.stringify({ json: options.input });
  const target = new URL(`/trpc/${procedure}`, url);
  if (options.method === "GET" && options.input !== undefined) target.searchParams.set("input", wireInput);
  const response = await fetch(target, {
    method: options.method,
    headers: {
      ...(options.method === "POST" ? { "content-type": "application/json" } : {}),
      ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
    },
    ...(options.method === "POST" ? { body: wireInput } : {}),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${options.method} ${procedure} answered ${response.status}: ${text}`);
  return (JSON.parse(text) as { result: { data: { json: T } } }).result.data.json;
}

async function login(url: string, email: string, password: string): Promise<string> {
  const result = await trpc<{ access_token: string }>(url, "auth.login", {
    method: "POST",
    input: { email, password },
  });
  return result.access_token;
}

async function createShow(url: string, token: string, title: string): Promise<Show> {
  return trpc<Show>(url, "shows.create", {
    method: "POST",
    token,
    input: { title, venue: "Main Hall", starts_at: "2030-01-01T20:00:00Z" },
  });
}

// ---- tests --------------------------------------------------------------------------------

describe("the server process (pnpm start) with embedded PostgreSQL", () => {
  it("serves, stops cleanly, and keeps its data and JWT secret across a restart", {
    timeout: 600_000,
  }, async () => {
    const dataDir = await freshDataDir();
    const settings = { EVENTFORGE_ADMIN_EMAIL: ADMIN.email, EVENTFORGE_ADMIN_PASSWORD: ADMIN.password };

    // First start: PORT=0 binds a free port, and the log line says which.
    const first = await startServer(dataDir, settings);
    expect(new URL(first.url).port).not.toMatch(/^0?$/u);
    const health = await fetch(new URL("/healthz", first.url));
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ ok: true });

    const token = await login(first.url, ADMIN.email, ADMIN.password);
    const title = `Restart test ${randomBytes(4).toString("hex")}`;
    const show = await createShow(first.url, token, title);
    expect(show).toMatchObject({ title, venue: "Main Hall" });
    const secret = await readFile(join(dataDir, "jwt-secret"), "utf8");

    expect(await first.stop("SIGTERM"), describeOutput(first.process)).toEqual({ code: 0, signal: null });
    await expectNoPostgresLeft(dataDir);

    // Second start on the same data dir: same cluster, same secret.
    const second = await startServer(dataDir, settings);
    const page = await trpc<{ items: Show[] }>(second.url, "shows.list", {
      method: "GET",
      input: { limit: 100 },
    });
    expect(page.items.map((s) => s.id)).toContain(show.id);
    const again = await trpc<Show>(second.url, "shows.get", { method: "GET", input: { show_id: show.id } });
    expect(again).toMatchObject({ id: show.id, title });

    expect(await readFile(join(dataDir, "jwt-secret"), "utf8")).toBe(secret);
    // The token from before the restart still passes an admin-only procedure.
    await expect(createShow(second.url, token, `${title} (after restart)`)).resolves.toMatchObject({
      title: `${title} (after restart)`,
    });

    expect(await second.stop("SIGINT"), describeOutput(second.process)).toEqual({ code: 0, signal: null });
    await expectNoPostgresLeft(dataDir);
  });

  it("prints a generated development admin password once, on the first start only", {
    timeout: 600_000,
  }, async () => {
    const dataDir = await freshDataDir();

    const first = await startServer(dataDir);
    const created = first.logs.filter((l) => l.msg?.startsWith(GENERATED_ADMIN));
    expect(created).toHaveLength(1);
    const { email, password } = created[0] ?? {};
    expect(email).toBe("admin@eventforge.local");
    expect(password).toEqual(expect.any(String));
    const generated = password as string;
    await expect(login(first.url, "admin@eventforge.local", generated)).resolves.toEqual(expect.any(String));
    expect(await first.stop("SIGTERM"), describeOutput(first.process)).toEqual({ code: 0, signal: null });

    const second = await startServer(dataDir);
    expect(second.logs.some((l) => l.msg?.startsWith(GENERATED_ADMIN))).toBe(false);
    expect(second.process.stdout + second.process.stderr).not.toContain(generated);
    // The account from the first start is still the admin.
    await expect(login(second.url, "admin@eventforge.local", generated)).resolves.toEqual(expect.any(String));
    expect(await second.stop("SIGTERM"), describeOutput(second.process)).toEqual({ code: 0, signal: null });
    await expectNoPostgresLeft(dataDir);
  });

  it.each([
    { setting: "PORT", env: { NODE_ENV: "development", PORT: "abc" } },
    { setting: "EVENTFORGE_JWT_SECRET", env: { NODE_ENV: "production", PORT: "0" } },
  ])("refuses to start with a bad $setting, in one line", { timeout: 90_000 }, async ({ setting, env }) => {
    const dataDir = await freshDataDir();
    const server = spawnServer(dataDir, env);

    const exit = await waitForExit(server, 60_000);
    expect(exit, describeOutput(server)).toEqual({ code: 1, signal: null });
    const lines = server.stderr.split("\n").filter((line) => line.trim() !== "");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(new RegExp(`^invalid configuration: ${setting} `, "u"));

    // It stopped before touching the database.
    expect(server.stdout).toBe("");
    await expect(stat(join(dataDir, "postgres"))).rejects.toThrow();
    expect(await postgresProcessesUsing(dataDir)).toEqual([]);
  });
});
