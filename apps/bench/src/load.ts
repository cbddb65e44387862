import { performance } from "node:perf_hooks";

export interface LoadResult {
  /** Operations that completed without error. */
  ok: number;
  failed: number;
  elapsedMs: number;
  /** Latency of every successful operation, in ms. */
  latencies: number[];
  firstError: unknown;
}

/**
 * Runs `op` on `concurrency` workers, each starting its next operation as soon as the last one
 * ends, until `durationMs` has passed or `op` returns false (nothing left to do).
 */
export async function runLoad(
  concurrency: number,
  durationMs: number,
  op: (worker: number) => Promise<boolean>,
): Promise<LoadResult> {
  const result: LoadResult = { ok: 0, failed: 0, elapsedMs: 0, latencies: [], firstError: undefined };
  const start = performance.now();
  const deadline = start + durationMs;
  const worker = async (w: number) => {
    while (performance.now() < deadline) {
      const t0 = performance.now();
      try {
        if (!(await op(w))) return;
        result.latencies.push(performance.now() - t0);
        result.ok++;
      } catch (error) {
        result.failed++;
        result.firstError ??= error;
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, (_, w) => worker(w)));
  result.elapsedMs = performance.now() - start;
  return result;
}

/** Runs `op` once per item on `concurrency` workers; the run ends when every item is done. */
export function runAll<T>(
  concurrency: number,
  items: readonly T[],
  op: (item: T, worker: number) => Promise<void>,
): Promise<LoadResult> {
  let next = 0;
  return runLoad(concurrency, Number.POSITIVE_INFINITY, async (w) => {
    if (next >= items.length) return false;
    await op(items[next++] as T, w);
    return true;
  });
}

/** Milliseconds `work` takes. */
export async function timed<T>(work: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const t0 = performance.now();
  const value = await work();
  return { ms: performance.now() - t0, value };
}
