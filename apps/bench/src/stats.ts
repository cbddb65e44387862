// Pure helpers of the benchmark: percentiles, targets, the table. No I/O here.

/** The p-th percentile (0–100) of `values` by nearest rank; NaN for no values. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1] as number;
}

export function median(values: readonly number[]): number {
  return percentile(values, 50);
}

export interface Target {
  /** `min`: the ratio must be at least `value`; `max`: at most `value`. */
  kind: "min" | "max";
  value: number;
  /** How the ratio is written in the table, e.g. "hold/no-op". */
  label: string;
}

export interface Row {
  scenario: string;
  /** The measured figure, as printed (e.g. "1,234 holds/s"). */
  figure: string;
  /** The ceiling it is compared with, as printed; "—" when there is none. */
  ceiling: string;
  /** figure / ceiling (or the figure itself for scenarios without a ceiling); null when not a ratio. */
  ratio: number | null;
  target: string;
  /** null for a figure that is reported, not held to a target. */
  met: boolean | null;
  /** A rule of the system rather than a speed target: a miss fails the run. */
  invariant?: boolean;
  /** Raw numbers for the JSON file. */
  data: Record<string, unknown>;
}

export function meets(ratio: number, target: Target): boolean {
  if (!Number.isFinite(ratio)) return false;
  return target.kind === "min" ? ratio >= target.value : ratio <= target.value;
}

export function describeTarget(target: Target): string {
  return `${target.label} ${target.kind === "min" ? "≥" : "≤"} ${target.value}`;
}

const integer = new Intl.NumberFormat("en-US", { maximumFractionDigits: 0 });
const decimal = new Intl.NumberFormat("en-US", { maximumFractionDigits: 2, minimumFractionDigits: 2 });

/** 12345.6 → "12,346"; below 100 keeps two decimals. */
export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  return Math.abs(value) >= 100 ? integer.format(value) : decimal.format(value);
}

export function formatMs(ms: number): string {
  return ms >= 1000 ? `${decimal.format(ms / 1000)} s` : `${formatNumber(ms)} ms`;
}

/** A plain-text table: columns padded to their widest cell, a rule under the header. */
export function formatTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(width(h), ...rows.map((r) => width(r[i] ?? ""))));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => c + " ".repeat((widths[i] ?? 0) - width(c)))
      .join("  ")
      .trimEnd();
  return [line(header), widths.map((w) => "-".repeat(w)).join("  "), ...rows.map(line)].join("\n");
}

// Code points, so that "≥" and "—" count as one column.
const width = (s: string) => [...s].length;
