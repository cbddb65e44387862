// For tests: the real server as a process of its own (its own process group), with its log lines.
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { setTimeout as delay } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { lock } from "proper-lockfile";

export const REPOSITORY_DIR = fileURLToPath(new URL("../../..", import.meta.url));
export const SERVER_DIR = fileURLToPath(new URL("..", import.meta.url));
const SERVING = "EventForge is serving /trpc";
/** Makes the workspace packages resolve to their TypeScript sources (compiled JavaScript otherwise). */
const SOURCE_CONDITION = "--conditions=@eventforge/source";
/**
 * node's arguments (cwd SERVER_DIR) to run the server from its sources: tsx as node's loader, in
 * the server's own process. Not the tsx command: that relays a signal to its child and SIGKILLs it
 * (exit 143, no shutdown) unless the child acknowledges within 30 ms, which a loaded machine missed.
 */
export const SOURCE_SERVER_ARGS = [SOURCE_CONDITION, "--import", "tsx", "src/main.ts"];

/** Settings the test runner's own environment might carry (vitest sets NODE_ENV=test). */
const SERVER_SETTINGS =
  /^(?:NODE_ENV|HOST|PORT|DATABASE_URL|TEST_DATABASE_URL|LOG_LEVEL|REDIS_URL|EVENTFORGE_.*)$/u;

/** The test runner's environment without them, for a server process to start from. */
export function inheritedEnvironment(): Record<string, string | undefined> {
  return Object.fromEntries(Object.entries(process.env).filter(([name]) => !SERVER_SETTINGS.test(name)));
}

/**
 * What `pnpm start` builds first (the server, its packages and the web app), then `andThen`, while
 * no other test process builds. A cold `pnpm build:server` empties each package's dist before it
 * compiles, so two at once (test files run in parallel) pull files from under each other: a deploy
 * once copied a dist/main.js without its dist/config.js. One at a time, the first build compiles
 * and the rest are turbo cache hits, which leave outputs that match untouched.
 */
export async function buildForProduction(andThen?: () => Promise<unknown>): Promise<void> {
  const release = await lock(REPOSITORY_DIR, {
    lockfilePath: join(REPOSITORY_DIR, "node_modules", ".eventforge-production-build.lock"),
    // Waits out a cold build on a loaded machine (the build's own limit is 600 s); a holder that
    // died is taken over once its lock has not been refreshed for a minute.
    retries: { retries: 2_400, factor: 1, minTimeout: 250, maxTimeout: 250 },
    stale: 60_000,
  });
  try {
    await promisify(execFile)("pnpm", ["build:server"], { cwd: REPOSITORY_DIR, timeout: 600_000 });
    await andThen?.();
  } finally {
    await release();
  }
}

export interface LogLine {
  msg?: string;
  [field: string]: unknown;
}

export interface ServerProcess {
  readonly child: ChildProcess;
  readonly logs: LogLine[];
  output: string;
  /** Set once the process has exited. */
  exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  /** Kills the whole process group (cleanup after a failed test). */
  kill(): void;
}

/** Runs `command args` in `cwd` with only `settings` of the server's settings, detached. */
export function spawnServer(command: string, args: string[], cwd: string, settings: Record<string, string>) {
  const child = spawn(command, args, {
    cwd,
    env: { ...inheritedEnvironment(), NODE_ENV: "development", PORT: "0", ...settings },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  const server: ServerProcess = {
    child,
    logs: [],
    output: "",
    exit: undefined,
    kill() {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, "SIGKILL");
      } catch {
        // The group is gone already.
      }
    },
  };
  createInterface({ input: child.stdout as NodeJS.ReadableStream }).on("line", (line) => {
    server.output += `${line}\n`;
    try {
      server.logs.push(JSON.parse(line) as LogLine);
    } catch {
      // Not a log line; kept in `output`.
    }
  });
  child.stderr?.setEncoding("utf8").on("data", (chunk: string) => {
    server.output += chunk;
  });
  // "close", not "exit": by then the output is read to its end, so a test that has seen the exit
  // also sees the last log lines.
  child.once("close", (code, signal) => {
    server.exit = { code, signal };
  });
  return server;
}

export async function waitFor<T>(what: string, probe: () => T | undefined, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await delay(50);
  }
}

/** The URL the server logs once it serves. */
export async function servingUrl(server: ServerProcess): Promise<string> {
  const line = await waitFor(
    "the server to serve",
    () => {
      if (server.exit) throw new Error(`the server exited before serving:\n${server.output}`);
      return server.logs.find((l) => l.msg === SERVING);
    },
    120_000,
  );
  return String(line.url);
}

/** Pids of live processes in process group `pgid`. */
export async function processesInGroup(pgid: number): Promise<number[]> {
  const pids: number[] = [];
  for (const entry of await readdir("/proc")) {
    if (!/^\d+$/u.test(entry)) continue;
    const stat = await readFile(`/proc/${entry}/stat`, "utf8").catch(() => "");
    // Fields after the command name (which may hold spaces): state ppid pgrp ...
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    if (fields[0] !== "Z" && Number(fields[2]) === pgid) pids.push(Number(entry));
  }
  return pids;
}
