/**
 * `count` distinct seat labels laid out as a venue: rows A, B, …, Z, AA, AB, … of `perRow` seats
 * each (`A1` … `A100`, `B1`, …), already in their normalized spelling.
 */
export function venueLabels(count: number, perRow = 100): string[] {
  const labels: string[] = [];
  for (let i = 0; i < count; i++) labels.push(`${rowName(Math.floor(i / perRow))}${(i % perRow) + 1}`);
  return labels;
}

/** 0 → A, 25 → Z, 26 → AA, 701 → ZZ, 702 → AAA (bijective base 26). */
export function rowName(index: number): string {
  let name = "";
  for (let n = index + 1; n > 0; n = Math.floor((n - 1) / 26)) {
    name = String.fromCharCode(65 + ((n - 1) % 26)) + name;
  }
  return name;
}

/** Splits `items` into consecutive chunks of at most `size`. */
export function chunk<T>(items: readonly T[], size: number): T[][] {
  if (!Number.isInteger(size) || size < 1) throw new RangeError("chunk size must be a positive integer");
  const chunks: T[][] = [];
  for (let i = 0; i < items.length; i += size) chunks.push(items.slice(i, i + size));
  return chunks;
}

/** A Fisher–Yates shuffle with a seeded generator, so runs pick the same "random" seats. */
export function shuffled<T>(items: readonly T[], seed = 1): T[] {
  const out = [...items];
  let state = seed >>> 0 || 1;
  const next = () => {
    // xorshift32
    state ^= state << 13;
    state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    return state / 0x1_0000_0000;
  };
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}
