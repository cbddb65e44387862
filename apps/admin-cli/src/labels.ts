import { spellSeatLabel } from "@eventforge/client";
import { UsageError } from "./errors.js";
import { formatCount } from "./format.js";

// Seat labels as an operator types them: single labels, ranges (`A1-A30`), grids (`--rows A-Z
// --numbers 1-40`) and files. The server normalizes and validates every label; this module only
// expands the shorthand.

/** A guard against a typo such as `A1-A1000000`: no single command adds more seats than this. */
export const MAX_LABELS_PER_COMMAND = 100_000;

const RANGE = /^(\D*)(\d+)-(\D*)(\d+)$/u;

/**
 * One label argument: `A1-A30` (or `A1-30`) is A1, A2, ..., A30; `A01-A10` keeps the zero padding;
 * anything else is a single label.
 */
export function expandLabelArgument(argument: string): string[] {
  const match = RANGE.exec(argument.trim());
  if (!match) return [argument];
  const [, prefix = "", from = "", endPrefix = "", to = ""] = match;
  if (endPrefix !== "" && spellSeatLabel(endPrefix) !== spellSeatLabel(prefix)) {
    throw new UsageError(
      `${argument}: a range stays in one row, like A1-A30 (use --rows and --numbers for several rows)`,
    );
  }
  const width = from.startsWith("0") ? from.length : 0;
  return numberRange(Number(from), Number(to), argument).map(
    (n) => `${prefix}${String(n).padStart(width, "0")}`,
  );
}

function numberRange(from: number, to: number, written: string): number[] {
  if (from > to) throw new UsageError(`${written}: a range goes from low to high`);
  if (to - from + 1 > MAX_LABELS_PER_COMMAND) {
    throw new UsageError(`${written}: more than ${formatCount(MAX_LABELS_PER_COMMAND)} seats in one range`);
  }
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}

/** `--rows A-H,J-N` (single letters in a range, or names such as `AA`) → ["A", ..., "H", "J", ...]. */
export function parseRows(spec: string): string[] {
  return spec.split(",").flatMap((item) => {
    const name = item.trim();
    const range = /^(\p{L})-(\p{L})$/u.exec(name);
    if (!range) {
      if (name === "") throw new UsageError(`--rows ${spec}: an empty row name`);
      return [name];
    }
    const from = range[1]?.codePointAt(0) ?? 0;
    const to = range[2]?.codePointAt(0) ?? 0;
    if (from > to) throw new UsageError(`--rows ${spec}: ${name} goes from high to low`);
    return Array.from({ length: to - from + 1 }, (_, i) => String.fromCodePoint(from + i));
  });
}

/** `--numbers 1-40` or `1-20,25-30` → the seat numbers of each row. */
export function parseNumbers(spec: string): string[] {
  return spec.split(",").flatMap((item) => {
    const written = item.trim();
    const match = /^(\d+)(?:-(\d+))?$/u.exec(written);
    if (!match)
      throw new UsageError(`--numbers ${spec}: ${written || "an empty item"} is not a number or a range`);
    const from = match[1] ?? "";
    const to = match[2] ?? from;
    const width = from.startsWith("0") ? from.length : 0;
    return numberRange(Number(from), Number(to), written).map((n) => String(n).padStart(width, "0"));
  });
}

/** Every row with every number, row by row: A1..A40, B1..B40, ... */
export function grid(rows: readonly string[], numbers: readonly string[]): string[] {
  if (rows.length * numbers.length > MAX_LABELS_PER_COMMAND) {
    throw new UsageError(`the grid has more than ${formatCount(MAX_LABELS_PER_COMMAND)} seats`);
  }
  return rows.flatMap((row) => numbers.map((number) => `${row}${number}`));
}

/**
 * Labels from a file: one per line, or comma-separated (CSV, with "quoted" cells). Blank cells and
 * lines starting with `#` are skipped. Labels in a file are taken as written: no range expansion, so a
 * file can hold any label the server accepts.
 */
export function parseLabelsFile(text: string): string[] {
  return text
    .split(/\r?\n/u)
    .filter((line) => !line.trimStart().startsWith("#"))
    .flatMap(csvCells)
    .filter((cell) => cell.trim() !== "");
}

function csvCells(line: string): string[] {
  const cells: string[] = [];
  let cell = "";
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const char = line[i];
    if (quoted) {
      if (char === '"' && line[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (char === '"') quoted = false;
      else cell += char;
    } else if (char === '"' && cell.trim() === "") {
      quoted = true;
      cell = "";
    } else if (char === ",") {
      cells.push(cell);
      cell = "";
    } else cell += char;
  }
  cells.push(cell);
  return cells;
}

/** Labels that occur more than once, each named once, in the order they first repeat. */
export function findRepeats(labels: readonly string[]): string[] {
  const seen = new Set<string>();
  const repeated = new Set<string>();
  for (const label of labels.map(spellSeatLabel)) {
    if (seen.has(label)) repeated.add(label);
    seen.add(label);
  }
  return [...repeated];
}

/** Consecutive slices of at most `size` items. */
export function chunk<T>(items: readonly T[], size: number): T[][] {
  return Array.from({ length: Math.ceil(items.length / size) }, (_, i) =>
    items.slice(i * size, (i + 1) * size),
  );
}
