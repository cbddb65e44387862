import type { RouterOutputs } from "@eventforge/client";
import { clockTime, clockTimeWithSeconds, formatCount, plural, widest } from "./format.js";
import type { Colors } from "./output.js";

export type Availability = RouterOutputs["availability"]["get"];
export type SeatStatus = Availability["seats"][number]["status"];
type SeatState = Availability["seats"][number];

export const SEAT_STATUSES = ["AVAILABLE", "HELD", "CONFIRMED"] as const satisfies readonly SeatStatus[];

/** Plain symbols tell the statuses apart without colour; with colour, shapes and colours both do. */
const SYMBOLS = {
  plain: { AVAILABLE: ".", HELD: "H", CONFIRMED: "X" },
  colour: { AVAILABLE: "○", HELD: "◐", CONFIRMED: "●" },
} as const satisfies Record<string, Record<SeatStatus, string>>;

const NAMES = { AVAILABLE: "available", HELD: "held", CONFIRMED: "confirmed" } as const;

/** Held seats listed under the whole map; `--status HELD` lists them all. */
const HELD_LISTED = 10;

/** Beyond this many columns a row no longer fits a terminal as a numbered ruler. */
const MAX_RULER_COLUMNS = 200;

export interface SeatMapOptions {
  colors: Colors;
  /** Only seats with this status are drawn and counted in the list. */
  status?: SeatStatus | undefined;
}

export function countByStatus(seats: readonly SeatState[]): Record<SeatStatus, number> {
  const counts = { AVAILABLE: 0, HELD: 0, CONFIRMED: 0 };
  for (const seat of seats) counts[seat.status]++;
  return counts;
}

/** Minutes left on a hold at the time of the answer (database time), rounded up. */
export const minutesLeft = (holdExpiry: Date, asOf: Date) =>
  Math.max(0, Math.ceil((holdExpiry.getTime() - asOf.getTime()) / 60_000));

interface Row {
  name: string;
  seats: { seat: SeatState; number: number | undefined }[];
}

/** Seats grouped by row: the label without its trailing number (`A12` is seat 12 of row A). */
function rowsOf(seats: readonly SeatState[]): Row[] {
  const rows = new Map<string, Row>();
  for (const seat of seats) {
    const match = /^(.*?)(\d+)$/u.exec(seat.seat_number);
    const name = match ? (match[1] ?? "") : seat.seat_number;
    const number = match ? Number(match[2]) : undefined;
    const row = rows.get(name) ?? { name, seats: [] };
    row.seats.push({ seat, number });
    rows.set(name, row);
  }
  return [...rows.values()];
}

/**
 * The seat map: one line per row, seats in the server's natural order; when every label ends in a
 * number, each seat stands in the column of its number under a ruler, so gaps (aisles) show. Then
 * a legend with counts and the held seats with their minutes left.
 */
export function renderSeatMap(availability: Availability, options: SeatMapOptions): string {
  const { colors, status } = options;
  const symbols = colors.isColorSupported ? SYMBOLS.colour : SYMBOLS.plain;
  const paint = { AVAILABLE: colors.green, HELD: colors.yellow, CONFIRMED: colors.red } as const;
  const symbol = (s: SeatStatus) => paint[s](symbols[s]);
  const shown = (seat: SeatState) => status === undefined || seat.status === status;

  const rows = rowsOf(availability.seats).filter((row) => row.seats.some(({ seat }) => shown(seat)));
  let numbered = rows.length > 0;
  let first = Number.POSITIVE_INFINITY;
  let last = Number.NEGATIVE_INFINITY;
  for (const { number } of rows.flatMap((row) => row.seats)) {
    if (number === undefined) numbered = false;
    else [first, last] = [Math.min(first, number), Math.max(last, number)];
  }
  const byNumber = numbered && last - first < MAX_RULER_COLUMNS;
  const nameWidth = widest(rows.map((row) => row.name));

  const lines: string[] = [];
  if (byNumber) lines.push(`${" ".repeat(nameWidth + 2)}${colors.dim(ruler(first, last))}`);
  for (const row of rows) {
    // A cell is the status drawn there, or undefined for a gap or a seat the filter leaves out.
    const cells: (SeatStatus | undefined)[] = byNumber ? Array(last - first + 1).fill(undefined) : [];
    for (const { seat, number } of row.seats) {
      const cell = shown(seat) ? seat.status : undefined;
      if (byNumber && number !== undefined) cells[number - first] = cell;
      else cells.push(cell);
    }
    lines.push(`${row.name.padEnd(nameWidth)}  ${paintRuns(cells, symbols, paint)}`);
  }
  if (rows.length === 0) lines.push(status ? `no ${NAMES[status]} seats` : "no seats yet");

  const counts = countByStatus(availability.seats);
  const legend = SEAT_STATUSES.map((s) => `${symbol(s)} ${NAMES[s]} ${formatCount(counts[s])}`);
  lines.push(
    "",
    `${legend.join("   ")}   ${colors.dim(`${plural(availability.seats.length, "seat")}, as of ${clockTimeWithSeconds(availability.as_of)}`)}`,
  );

  const held = status === undefined || status === "HELD" ? heldList(availability, status === "HELD") : [];
  return lines.concat(held).join("\n");
}

/** Cells as text, one colour code per run of equal cells rather than per seat; no trailing gap. */
function paintRuns(
  cells: readonly (SeatStatus | undefined)[],
  symbols: Record<SeatStatus, string>,
  paint: Record<SeatStatus, (text: string) => string>,
): string {
  let text = "";
  for (let start = 0, end = 0; start < cells.length; start = end) {
    const cell = cells[start];
    while (end < cells.length && cells[end] === cell) end++;
    text += cell === undefined ? " ".repeat(end - start) : paint[cell](symbols[cell].repeat(end - start));
  }
  return text.trimEnd();
}

/** Column labels: the first number, then every tenth, where it fits. */
function ruler(first: number, last: number): string {
  let text = "";
  for (let n = first; n <= last; n++) {
    const column = n - first;
    if ((n === first || n % 10 === 0) && text.length <= column) text = text.padEnd(column) + String(n);
  }
  return text;
}

function heldList(availability: Availability, all: boolean): string[] {
  const held = availability.seats.filter((seat) => seat.status === "HELD");
  if (held.length === 0) return [];
  const listed = all ? held : held.slice(0, HELD_LISTED);
  const width = widest(listed.map((seat) => seat.seat_number));
  const lines = ["", "held seats:"];
  for (const seat of listed) {
    const expiry = seat.hold_expiry;
    const until = expiry
      ? `until ${clockTime(expiry)}, ${minutesLeft(expiry, availability.as_of)} min left`
      : "";
    lines.push(`  ${seat.seat_number.padEnd(width)}  ${until}`.trimEnd());
  }
  if (listed.length < held.length) {
    lines.push(`  and ${formatCount(held.length - listed.length)} more (--status HELD lists them all)`);
  }
  return lines;
}
