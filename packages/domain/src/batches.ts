/**
 * Runs `runBatch` (one bounded statement; returns how many rows it handled) until `isLast` says
 * that batch was the last, or `maxBatches` have run, so one call stays bounded while work arrives
 * faster than it is done. Returns the total handled.
 */
export async function inBoundedBatches(
  runBatch: () => Promise<number>,
  options: { maxBatches?: number; isLast: (handled: number) => boolean },
): Promise<number> {
  const maxBatches = options.maxBatches ?? 100;
  let total = 0;
  for (let batch = 0; batch < maxBatches; batch++) {
    const handled = await runBatch();
    total += handled;
    if (options.isLast(handled)) break;
  }
  return total;
}
