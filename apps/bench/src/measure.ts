// Running the two sides of a ratio interleaved, with CPU time per operation, and checking results.
import type { LoadResult } from "./load.js";
import { formatMs, formatNumber, percentile } from "./stats.js";
import { log, type World } from "./world.js";

export function throughput(result: LoadResult): number {
  return (result.ok / result.elapsedMs) * 1000;
}

export type Measured = LoadResult & { cpu: Record<string, number | null> };

/**
 * Runs the phases round-robin, `rounds` times (each round starting with the next phase), and
 * adds up each phase's slices, so that a change in the machine's background load during the run
 * weighs on every phase alike. Also measures CPU time per operation of each phase: server,
 * PostgreSQL, and the benchmark's own process.
 */
export async function interleaved(
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

/** "1,234 holds/s (p50 12 ms, p99 34 ms)": a phase's rate and latencies as the table prints them. */
export function describeRate(result: LoadResult, unit: string): string {
  const p50 = formatMs(percentile(result.latencies, 50));
  const p99 = formatMs(percentile(result.latencies, 99));
  return `${formatNumber(throughput(result))} ${unit} (p50 ${p50}, p99 ${p99})`;
}

export function latencyData(result: LoadResult & { cpu?: Record<string, number | null> }) {
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

export function assertNoFailures(what: string, result: LoadResult): void {
  if (result.failed > 0) {
    throw new Error(`${what}: ${result.failed} operations failed; first: ${String(result.firstError)}`, {
      cause: result.firstError,
    });
  }
}
