// Holds: throughput vs a no-op and vs the raw SQL, with and without an Idempotency-Key, and contention.
import { randomUUID } from "node:crypto";
import { getErrorReason, withIdempotencyKey } from "@eventforge/client";
import { runLoad, timed } from "./load.js";
import {
  assertNoFailures,
  describeRate,
  interleaved,
  latencyData,
  type Measured,
  throughput,
} from "./measure.js";
import { rawHold } from "./raw-sql.js";
import { describeTarget, formatMs, formatNumber, meets, percentile, type Row, type Target } from "./stats.js";
import { type BenchShow, type Fan, log, take, type World } from "./world.js";

/** Hold throughput vs a no-op procedure through the same stack, and vs the hold SQL through pg. */
export async function holdThroughput(world: World, apiShow: BenchShow, rawShow: BenchShow): Promise<Row[]> {
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

  const vsNoop: Target = { kind: "min", value: 0.5, label: "hold/no-op" };
  const vsRaw: Target = { kind: "min", value: 0.5, label: "hold/raw prepared" };
  const figure = describeRate(holds, "holds/s");
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
      ceiling: describeRate(noop, "no-ops/s"),
      ratio: r1,
      target: describeTarget(vsNoop),
      met: meets(r1, vsNoop),
      data,
    },
    {
      scenario: "hold throughput vs raw SQL (prepared)",
      figure: `${formatNumber(throughput(holds))} holds/s`,
      ceiling: `${describeRate(raws, "raw holds/s")}; unprepared ${formatNumber(throughput(unprepared))}/s`,
      ratio: r2,
      target: describeTarget(vsRaw),
      met: meets(r2, vsRaw),
      data,
    },
    ...cpuPerHoldRows(holds, raws),
  ];
}

/**
 * CPU time per hold of the server and of PostgreSQL (issue 15's targets): steadier than rates on
 * a shared machine, and what a rate on a CPU-bound machine comes down to. PostgreSQL's is known
 * only when it is the benchmark's own (embedded); on DATABASE_URL's server it is left out.
 */
function cpuPerHoldRows(holds: Measured, raws: Measured): Row[] {
  const ms = (v: number | null | undefined) => (v == null ? "?" : `${v.toFixed(3)} ms`);
  const row = (
    who: "server" | "PostgreSQL",
    perHold: number,
    raw: number | null | undefined,
    max: number,
  ) => {
    const target: Target = { kind: "max", value: max, label: "ms per hold" };
    return {
      scenario: `${who} CPU per hold`,
      figure: ms(perHold),
      ceiling: `${ms(raw)} per raw prepared hold`,
      ratio: perHold,
      target: describeTarget(target),
      met: meets(perHold, target),
      data: { ms_per_hold: perHold, ms_per_raw_hold: raw ?? null },
    };
  };
  const rows: Row[] = [];
  if (holds.cpu.server_ms_per_op != null) {
    rows.push(row("server", holds.cpu.server_ms_per_op, raws.cpu.server_ms_per_op, 0.45));
  }
  if (holds.cpu.postgres_ms_per_op != null) {
    rows.push(row("PostgreSQL", holds.cpu.postgres_ms_per_op, raws.cpu.postgres_ms_per_op, 0.35));
  } else {
    log("  PostgreSQL CPU per hold: not measured (not the benchmark's own PostgreSQL)");
  }
  return rows;
}

/**
 * The cost of an Idempotency-Key (docs/design.md, Idempotency keys): holds with a fresh key each
 * (claim, look-up and record in the hold's transaction) vs the same holds without one, interleaved.
 */
export async function idempotentHolds(world: World, apiShow: BenchShow): Promise<Row> {
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
    figure: describeRate(keyed, "holds/s"),
    ceiling: describeRate(plain, "without a key"),
    ratio,
    target: describeTarget(target),
    met: meets(ratio, target),
    data: { keyed: latencyData(keyed), plain: latencyData(plain) },
  };
}

/** Contention: every user at once on a few seats; exactly one winner per seat. */
export async function contention(world: World, apiShow: BenchShow): Promise<Row> {
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
