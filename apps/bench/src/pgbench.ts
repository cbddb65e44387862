// The hold statement under `pgbench -M prepared` (issue 15, item 4): PostgreSQL's own client, with
// nothing of ours around the statement, on the benchmark's database. Skipped when pgbench is not
// on the PATH.
import { spawn, spawnSync } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { holdStatement } from "@eventforge/db";
import { HOLD_MINUTES } from "@eventforge/domain";
import { BENCH_MAX_HOLDS_PER_SHOW } from "./environment.js";
import { compileStatement } from "./raw-sql.js";
import { formatNumber, type Row } from "./stats.js";
import { type Fan, log, type World } from "./world.js";

/** As in the figure: 16 clients, on 2 threads (one per core). */
const CLIENTS = 16;
const SEATS_PER_CLIENT = 5_000;
/** Stand-ins for the compiled statement's seat list and user, replaced by pgbench variables. */
const SEAT_MARK = -7;
const USER_MARK = -3;

export function pgbenchAvailable(): boolean {
  return !spawnSync("pgbench", ["--version"], { stdio: "ignore" }).error;
}

/**
 * The server's hold statement as a pgbench script: the user and the seat are pgbench variables,
 * every other parameter a variable set to the server's value, so `-M prepared` sends the same
 * parameterized statement. Each client holds only its own seats, as its own users, so no two
 * clients race (a lost race is an error, which would end that pgbench client). pgbench cannot
 * build an array value, so the seat list `$n::integer[]` is written `ARRAY[:seat]::integer[]`.
 */
export function pgbenchHoldScript(seats: { first: number; perClient: number }, users: number[]): string {
  const { sql, parameters } = compileStatement(
    holdStatement({
      seats: { seatIds: [SEAT_MARK] },
      userId: USER_MARK,
      actorUserId: USER_MARK,
      holdMinutes: HOLD_MINUTES.default,
      maxHoldsPerShow: BENCH_MAX_HOLDS_PER_SHOW,
    }),
  );
  const sets: string[] = [];
  const text = sql.replace(/\$(\d+)(::integer\[\])?/gu, (_, n: string, arrayCast: string | undefined) => {
    const value = parameters[Number(n) - 1];
    if (Array.isArray(value) && value[0] === SEAT_MARK) return "ARRAY[:seat]::integer[]";
    if (value === USER_MARK) return ":uid";
    if (typeof value !== "number" || arrayCast) throw new Error(`pgbench: unexpected parameter $${n}`);
    sets.push(`\\set p${n} ${value}`);
    return `:p${n}`;
  });
  const usersPerClient = Math.floor(users.length / CLIENTS);
  if (usersPerClient < 1) throw new Error(`pgbench needs at least ${CLIENTS} users`);
  // The fans' ids are consecutive (one INSERT … RETURNING): client c takes ids first + c + 16·i.
  const firstUser = Math.min(...users);
  if (Math.max(...users) - firstUser + 1 !== users.length)
    throw new Error("pgbench: the fans' ids are not consecutive");
  return [
    `\\set seat ${seats.first} + :client_id + ${CLIENTS} * random(0, ${seats.perClient - 1})`,
    `\\set uid ${firstUser} + :client_id + ${CLIENTS} * random(0, ${usersPerClient - 1})`,
    ...sets,
    `${text.replace(/\s+/gu, " ").trim()};`,
    "",
  ].join("\n");
}

/**
 * `pgbench -M prepared` of the hold statement on a show of its own for `seconds`; PostgreSQL's CPU
 * per hold is measured as for the other phases. Returns no row when pgbench is absent.
 */
export async function pgbenchHolds(world: World, databaseUrl: string): Promise<Row[]> {
  if (!pgbenchAvailable()) {
    log("pgbench: not on the PATH, skipped");
    return [];
  }
  // At least 3 s: 16 clients connect first, and on a loaded machine that took a whole second.
  const seconds = Math.max(3, Math.round(world.scale.throughputMs / 1000));
  const { pool } = world;
  const { rows: shows } = await pool.query<{ id: number }>(
    `INSERT INTO shows (title, venue, starts_at)
     VALUES ('pgbench holds', 'Bench Arena', statement_timestamp() + interval '30 days') RETURNING id`,
  );
  const showId = shows[0]?.id as number;
  const seatCount = CLIENTS * SEATS_PER_CLIENT;
  const { rows: range } = await pool.query<{ first: number; last: number }>(
    `WITH added AS (
       INSERT INTO seats (show_id, seat_number, sort_key)
       SELECT $1, 'P' || i, lpad(i::text, 10, '0') FROM generate_series(1, $2::integer) i
       RETURNING id
     )
     SELECT min(id) AS first, max(id) AS last FROM added`,
    [showId, seatCount],
  );
  const { first, last } = range[0] as { first: number; last: number };
  if (last - first + 1 !== seatCount) throw new Error("pgbench: the new seats' ids are not consecutive");
  const dir = await mkdtemp(join(tmpdir(), "eventforge-pgbench-"));
  try {
    const script = join(dir, "hold.sql");
    const users = world.fans.map((fan: Fan) => fan.userId);
    await writeFile(script, pgbenchHoldScript({ first, perClient: SEATS_PER_CLIENT }, users));
    log(`pgbench -M prepared: the hold statement, ${CLIENTS} clients, ${seconds} s`);
    const before = await world.cpu();
    const output = await run("pgbench", [
      "--no-vacuum",
      "--protocol=prepared",
      `--client=${CLIENTS}`,
      "--jobs=2",
      `--time=${seconds}`,
      `--file=${script}`,
      databaseUrl,
    ]);
    const after = await world.cpu();
    const transactions = Number(/number of transactions actually processed: (\d+)/u.exec(output)?.[1]);
    // A reported figure, not a target: a machine too busy to finish one hold in time says so.
    const tps = transactions === 0 ? 0 : Number(/^tps = ([\d.]+)/mu.exec(output)?.[1]);
    if (!Number.isFinite(tps) || !Number.isFinite(transactions))
      throw new Error(`pgbench: no rate in\n${output}`);
    const postgresMs =
      transactions === 0 || after.postgres === undefined || before.postgres === undefined
        ? null
        : (after.postgres - before.postgres) / transactions;
    const figure = transactions === 0 ? `no hold finished in ${seconds} s` : `${formatNumber(tps)} holds/s`;
    log(`  pgbench: ${figure}; CPU ms per op: postgres ${postgresMs === null ? "?" : postgresMs.toFixed(3)}`);
    return [
      {
        scenario: `pgbench -M prepared, the hold statement (${CLIENTS} clients)`,
        figure,
        ceiling: "—",
        ratio: null,
        target: "— (reported)",
        met: null,
        data: { per_second: tps, transactions, clients: CLIENTS, seconds, postgres_ms_per_op: postgresMs },
      },
    ];
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Runs a command; resolves with its output, rejects with it when the command fails. */
function run(command: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      output += chunk;
    });
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
      output += chunk;
    });
    child.once("error", reject);
    child.once("exit", (code) => {
      if (code === 0) resolve(output);
      else reject(new Error(`${command} exited with ${code}:\n${output}`));
    });
  });
}
