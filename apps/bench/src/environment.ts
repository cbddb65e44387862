// What the benchmark runs against: a PostgreSQL database of its own and the real server process.
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { chmod, mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { createDatabase, dropDatabase, ensureDatabase } from "@eventforge/db";
import { startEmbeddedPostgres } from "@eventforge/db/embedded";

const SERVER_DIR = fileURLToPath(new URL("../../server/", import.meta.url));
const SERVING = "EventForge is serving /trpc";

/** Cleanups run in reverse order of registration, once, on success, failure or Ctrl-C. */
const cleanups: (() => Promise<void>)[] = [];
export function onCleanup(cleanup: () => Promise<void>): void {
  cleanups.push(cleanup);
}
export async function cleanUp(): Promise<void> {
  for (const cleanup of cleanups.splice(0).reverse()) {
    await cleanup().catch((error: unknown) => console.error(`cleanup failed: ${String(error)}`));
  }
}

export async function scratchDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "eventforge-bench-"));
  // As root, embedded PostgreSQL runs as the `postgres` user, which must reach <dir>/postgres.
  await chmod(dir, 0o755);
  onCleanup(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

export interface BenchDatabase {
  url: string;
  kind: "embedded" | "DATABASE_URL";
  /** The embedded postmaster's pid (its CPU time and its backends' are measured); undefined otherwise. */
  postmasterPid: number | undefined;
}

/**
 * A database for this run: on the server of DATABASE_URL (a scratch database, dropped at the end),
 * or else on an embedded PostgreSQL in `dir` (stopped and deleted at the end).
 */
export async function startDatabase(dir: string, databaseUrl: string | undefined): Promise<BenchDatabase> {
  if (databaseUrl) {
    const name = `eventforge_bench_${randomBytes(4).toString("hex")}`;
    const url = await createDatabase(databaseUrl, name);
    onCleanup(() => dropDatabase(databaseUrl, name));
    return { url, kind: "DATABASE_URL", postmasterPid: undefined };
  }
  const embedded = await startEmbeddedPostgres({
    dataDir: join(dir, "postgres"),
    persistent: false,
    password: randomBytes(18).toString("base64url"),
  });
  onCleanup(() => embedded.stop());
  const pidFile = await readFile(join(dir, "postgres", "postmaster.pid"), "utf8");
  return {
    url: await ensureDatabase(embedded.url, "eventforge_bench"),
    kind: "embedded",
    postmasterPid: Number(pidFile.split("\n")[0]),
  };
}

export interface ServerProcess {
  url: string;
  /** The node process that serves: the compiled server, as `pnpm start:prod` runs it. */
  pid: number;
  /** Peak resident set size so far (VmHWM), in bytes. */
  peakRss(): Promise<number>;
}

// Settings of the server that the benchmark decides; the rest of the environment is passed on.
/**
 * The hold cap stays on (docs/design.md: Performance), high enough for every fan's holds of a run: each fan holds
 * dozens of seats of one show.
 */
export const BENCH_MAX_HOLDS_PER_SHOW = 1_000;

const DECIDED = /^(?:NODE_ENV|HOST|PORT|DATABASE_URL|LOG_LEVEL|EVENTFORGE_(?!DB_POOL_SIZE$).*)$/u;

/**
 * V8's heap settings of the production start (`pnpm start:prod`, the server's `pnpm start`, the
 * Dockerfile's CMD; a test keeps them alike). Measured with this benchmark: the default young
 * generation (16 MB semi-spaces) and old-generation growth let the heap grow far past what is
 * live: the 100,000-seat snapshots took the peak RSS from ~140 MB to ~295 MB, garbage of finished
 * requests waiting in the old generation for a collection that the default growth factor put off.
 * A 4 MB semi-space and 50% growth: 117 MB after start, 182 MB peak.
 */
export const SERVER_NODE_FLAGS = ["--max-semi-space-size=4", "--heap-growing-percent=50"] as const;

/**
 * Starts the server as production runs it (`pnpm start:prod`): compiled JavaScript under plain
 * node with NODE_ENV=production, built first (`pnpm build:server`, which turbo's cache makes
 * instant when nothing changed).
 */
export async function startServer(options: {
  databaseUrl: string;
  dataDir: string;
  jwtSecret: string;
  admin: { email: string; password: string };
  profileDir: string | undefined;
}): Promise<ServerProcess> {
  const inherited = Object.entries(process.env).filter(([name]) => !DECIDED.test(name));
  execFileSync("pnpm", ["build:server"], {
    cwd: join(SERVER_DIR, "..", ".."),
    stdio: ["ignore", "ignore", "inherit"],
  });
  const nodeArgs = ["--enable-source-maps", ...SERVER_NODE_FLAGS];
  if (options.profileDir) nodeArgs.push("--cpu-prof", `--cpu-prof-dir=${options.profileDir}`);
  const child = spawn(process.execPath, [...nodeArgs, "dist/main.js"], {
    cwd: SERVER_DIR,
    env: {
      ...Object.fromEntries(inherited),
      NODE_ENV: "production",
      HOST: "127.0.0.1",
      PORT: "0",
      DATABASE_URL: options.databaseUrl,
      EVENTFORGE_DATA_DIR: options.dataDir,
      EVENTFORGE_JWT_SECRET: options.jwtSecret,
      EVENTFORGE_ADMIN_EMAIL: options.admin.email,
      EVENTFORGE_ADMIN_PASSWORD: options.admin.password,
      EVENTFORGE_MAX_HOLDS_PER_SHOW: String(BENCH_MAX_HOLDS_PER_SHOW),
      // Every limit stays on (docs/design.md, Performance), set high enough not to refuse the
      // benchmark's load, which signs up and signs in its fans from one address and holds as fast
      // as it can.
      EVENTFORGE_HOLD_RATE_PER_MINUTE: "1000000",
      EVENTFORGE_SIGNUP_RATE_PER_HOUR: "1000000",
      EVENTFORGE_LOGIN_RATE_PER_HOUR: "1000000",
      // The contention scenario queues 1,000 requests for the pool at once; on a loaded shared
      // machine the default 3 s wait for a connection ran out and answered many of them 503
      // DATABASE_UNAVAILABLE (seen at load 20–40, with and without the heap flags), as the tests
      // found before (they wait 30 s too).
      EVENTFORGE_DB_CONNECT_TIMEOUT_MS: "30000",
      LOG_LEVEL: "info",
    },
    stdio: ["ignore", "pipe", "pipe"],
    // Its own process group: a Ctrl-C in the terminal reaches the benchmark, which stops it in order.
    detached: true,
  });
  onCleanup(() => stopProcess(child));
  const output: string[] = [];
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`the server did not start:\n${output.join("\n")}`)),
      90_000,
    );
    createInterface({ input: child.stdout as NodeJS.ReadableStream }).on("line", (line) => {
      output.push(line);
      try {
        const entry = JSON.parse(line) as { msg?: string; url?: string; level?: number };
        if (entry.msg === SERVING && typeof entry.url === "string") {
          clearTimeout(timer);
          resolve(entry.url);
        } else if ((entry.level ?? 0) >= 50) {
          console.error(`server: ${line}`);
        }
      } catch {
        // not a log line
      }
    });
    child.stderr?.setEncoding("utf8").on("data", (chunk: string) => output.push(chunk));
    child.once("exit", (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`the server exited (${code ?? signal}) before serving:\n${output.join("\n")}`));
    });
  });
  const pid = child.pid as number;
  return { url, pid, peakRss: () => readStatusBytes(pid, "VmHWM") };
}

/** A field of /proc/PID/status given in kB (VmRSS, VmHWM), in bytes. */
export async function readStatusBytes(pid: number, field: "VmRSS" | "VmHWM"): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, "utf8");
  const match = new RegExp(`^${field}:\\s+(\\d+) kB`, "mu").exec(status);
  if (!match?.[1]) throw new Error(`no ${field} for process ${pid}`);
  return Number(match[1]) * 1024;
}

/** SIGTERM (the server closes HTTP, pool and database in order), SIGKILL after 15 s. */
async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.kill("SIGTERM");
  const timer = setTimeout(() => {
    try {
      process.kill(-(child.pid as number), "SIGKILL");
    } catch {
      // already gone
    }
  }, 15_000);
  await exited;
  clearTimeout(timer);
}

// Linux reports process CPU time in clock ticks of 1/100 s (USER_HZ) on every common platform.
const TICK_MS = 10;

/** User + system CPU time of a process, in ms, and its parent's pid; undefined once it is gone. */
async function processCpu(
  pid: number,
): Promise<{ ms: number; reapedChildrenMs: number; ppid: number } | undefined> {
  const stat = await readFile(`/proc/${pid}/stat`, "utf8").catch(() => undefined);
  if (!stat) return undefined;
  // The command name (field 2) may hold spaces; the fields after its closing parenthesis do not.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return {
    ms: (Number(fields[11]) + Number(fields[12])) * TICK_MS,
    reapedChildrenMs: (Number(fields[13]) + Number(fields[14])) * TICK_MS,
    ppid: Number(fields[1]),
  };
}

/** CPU time (ms) used so far by the server, by PostgreSQL (postmaster and live backends), and by us. */
export interface CpuTimes {
  server: number;
  postgres: number | undefined;
  bench: number;
}

export async function cpuTimes(serverPid: number, postmasterPid: number | undefined): Promise<CpuTimes> {
  const server = (await processCpu(serverPid))?.ms ?? 0;
  const postgres = postmasterPid === undefined ? undefined : await postgresCpu(postmasterPid);
  const own = process.cpuUsage();
  return { server, postgres, bench: (own.user + own.system) / 1000 };
}

/**
 * The postmaster's own CPU time, its reaped children's (backends that have exited) and its live
 * backends'. A backend that exits while /proc is scanned would be counted in neither (gone when
 * its turn came, reaped after the postmaster was read) or in both, its whole lifetime's CPU at
 * once (a pool closing idle connections between phases: a negative CPU per hold was seen): the
 * scan is repeated until the reaped children's time did not move during it.
 */
async function postgresCpu(postmasterPid: number): Promise<number> {
  let total = 0;
  for (let attempt = 0; attempt < 5; attempt++) {
    const before = await processCpu(postmasterPid);
    let backends = 0;
    for (const entry of await readdir("/proc")) {
      if (!/^\d+$/u.test(entry)) continue;
      const cpu = await processCpu(Number(entry));
      if (cpu?.ppid === postmasterPid) backends += cpu.ms;
    }
    const after = await processCpu(postmasterPid);
    total = (after?.ms ?? 0) + (after?.reapedChildrenMs ?? 0) + backends;
    if (before?.reapedChildrenMs === after?.reapedChildrenMs) break;
  }
  return total;
}
