// A show's seat map: one button per seat, in rows read from the labels ("A12" is seat 12 of row
// A), laid out with CSS grid. Built once from a snapshot; afterwards every change is one call to
// `apply` (an event of the live feed, or the fan's own change), which touches only the seat that
// changed, so a 10,000-seat hall stays smooth.
//
// Hooks other programs rely on (docs/design.md, Box office): every seat has `data-seat` (its label)
// and `data-status` ∈ available | held | confirmed | mine; a selected seat has aria-pressed="true".
import { MAX_SEATS_PER_HOLD } from "@eventforge/client";
import type { SeatState } from "./api";
import { h } from "./dom";

export type SeatStatus = SeatState["status"];

/** What a seat now is: a row of the snapshot, or a change of the live feed. */
export interface SeatChange {
  seat_id: number;
  seat_number: string;
  status: SeatStatus;
  hold_expiry: Date | null;
}

export interface SeatMapOptions {
  /** Whether this seat's current hold or purchase is the signed-in user's. */
  isMine(seatId: number): boolean;
  onSelectionChange(selected: readonly string[]): void;
  /** A seat picked that cannot be, or a selected seat that someone else just took. */
  onRefusal(message: string): void;
}

interface Seat {
  state: SeatChange;
  button: HTMLButtonElement;
  row: number;
  column: number;
}

const ROW_AND_NUMBER = /^(.*?)\s*(\d+)$/u;

export class SeatMap {
  readonly element: HTMLElement;
  private readonly byId = new Map<number, Seat>();
  private readonly byLabel = new Map<string, Seat>();
  /** Seats by row, in label order: what the arrow keys move through. */
  private readonly rows: Seat[][] = [];
  private readonly selection = new Set<string>();
  private focusable: Seat | undefined;

  constructor(
    seats: readonly SeatChange[],
    private readonly options: SeatMapOptions,
  ) {
    this.element = h("div", { class: "seat-map", role: "group", "aria-label": "Seat map" });
    this.element.append(this.build(seats));
    this.element.addEventListener("click", (event) => this.onClick(event));
    this.element.addEventListener("keydown", (event) => this.onKeyDown(event));
  }

  /** One seat changed (a live event, or a local consequence such as a lapsed hold). */
  apply(change: SeatChange): void {
    const seat = this.byId.get(change.seat_id);
    if (!seat) return; // a seat added after the snapshot: it appears on the next visit
    const wasSelected = this.selection.has(seat.state.seat_number);
    seat.state = change;
    if (wasSelected && change.status !== "AVAILABLE") {
      this.selection.delete(change.seat_number);
      this.setPressed(seat, false);
      this.options.onSelectionChange(this.selected());
      if (!this.options.isMine(change.seat_id)) {
        this.options.onRefusal(`Someone else just took ${change.seat_number}. Pick another seat.`);
      }
    }
    this.paint(seat);
  }

  /** Re-reads `isMine` for every seat that is held or sold (after the user's own hold, sign-in...). */
  repaintMine(): void {
    for (const seat of this.byId.values()) if (seat.state.status !== "AVAILABLE") this.paint(seat);
  }

  selected(): string[] {
    return [...this.selection];
  }

  clearSelection(): void {
    for (const label of this.selection) {
      const seat = this.byLabel.get(label);
      if (seat) this.setPressed(seat, false);
    }
    this.selection.clear();
    this.options.onSelectionChange([]);
  }

  statusOf(seatId: number): SeatStatus | undefined {
    return this.byId.get(seatId)?.state.status;
  }

  labelOf(seatId: number): string | undefined {
    return this.byId.get(seatId)?.state.seat_number;
  }

  counts(): Record<SeatStatus, number> & { total: number } {
    const counts = { total: this.byId.size, AVAILABLE: 0, HELD: 0, CONFIRMED: 0 };
    for (const seat of this.byId.values()) counts[seat.state.status] += 1;
    return counts;
  }

  private build(seats: readonly SeatChange[]): DocumentFragment {
    const fragment = document.createDocumentFragment();
    // Group by row (labels arrive in natural order, so seats within a row are in order already),
    // then order rows as a venue does: A..Z before AA..AZ (shorter names first, then natural).
    const byRow = new Map<string, { state: SeatChange; number: number | undefined }[]>();
    for (const state of seats) {
      const match = ROW_AND_NUMBER.exec(state.seat_number);
      const rowName = match ? (match[1] ?? "") : state.seat_number;
      let row = byRow.get(rowName);
      if (!row) {
        row = [];
        byRow.set(rowName, row);
      }
      row.push({ state, number: match ? Number(match[2]) : undefined });
    }
    const rowNames = [...byRow.keys()].sort(
      (a, b) => a.length - b.length || a.localeCompare(b, "en", { numeric: true }),
    );
    let widest = 1;
    for (const rowName of rowNames) {
      const rowIndex = this.rows.length;
      const rowSeats: Seat[] = [];
      this.rows.push(rowSeats);
      const rowElement = h(
        "div",
        { class: "seat-row", role: "group", "aria-label": rowName ? `Row ${rowName}` : "Seats" },
        h("span", { class: "row-name", "aria-hidden": "true" }, rowName),
      );
      let nextColumn = 1;
      for (const { state, number } of byRow.get(rowName) ?? []) {
        // A numbered seat sits in its own column (gaps stay visible as aisles); others follow on.
        const column = number !== undefined && number >= nextColumn && number <= 500 ? number : nextColumn;
        nextColumn = column + 1;
        const button = document.createElement("button");
        button.type = "button";
        button.className = "seat";
        button.dataset.seat = state.seat_number;
        button.tabIndex = -1;
        button.setAttribute("aria-pressed", "false");
        button.textContent = number !== undefined ? String(number) : state.seat_number;
        // +1: the first grid column is the row's name.
        button.style.gridColumnStart = String(column + 1);
        const seat: Seat = { state, button, row: rowIndex, column };
        this.byId.set(state.seat_id, seat);
        this.byLabel.set(state.seat_number, seat);
        rowSeats.push(seat);
        this.paint(seat);
        rowElement.append(button);
      }
      widest = Math.max(widest, nextColumn - 1);
      fragment.append(rowElement);
    }
    this.element.style.setProperty("--columns", String(widest));
    const first = this.rows[0]?.[0];
    if (first) this.makeFocusable(first);
    return fragment;
  }

  private paint(seat: Seat): void {
    const { status, seat_id, seat_number } = seat.state;
    const mine = status !== "AVAILABLE" && this.options.isMine(seat_id);
    const hook = mine ? "mine" : status.toLowerCase();
    if (seat.button.dataset.status === hook) return;
    seat.button.dataset.status = hook;
    // Accessible names never contain the words of the action buttons ("Hold", "Confirm", ...),
    // so a search for the button named "Hold" finds that button alone.
    const words =
      hook === "mine"
        ? status === "CONFIRMED"
          ? "yours, bought"
          : "yours, held"
        : hook === "confirmed"
          ? "sold"
          : hook;
    seat.button.setAttribute("aria-label", `${seat_number}, ${words}`);
    seat.button.setAttribute("aria-disabled", String(hook !== "available"));
  }

  private setPressed(seat: Seat, pressed: boolean): void {
    seat.button.setAttribute("aria-pressed", String(pressed));
  }

  private onClick(event: MouseEvent): void {
    const button = (event.target as Element).closest<HTMLButtonElement>("button.seat");
    const seat = button?.dataset.seat ? this.byLabel.get(button.dataset.seat) : undefined;
    if (!seat) return;
    this.makeFocusable(seat);
    this.toggle(seat);
  }

  private toggle(seat: Seat): void {
    const label = seat.state.seat_number;
    if (this.selection.has(label)) {
      this.selection.delete(label);
      this.setPressed(seat, false);
    } else if (seat.state.status !== "AVAILABLE") {
      const mine = this.options.isMine(seat.state.seat_id);
      this.options.onRefusal(
        mine
          ? `${label} is already yours.`
          : seat.state.status === "CONFIRMED"
            ? `${label} is sold. Pick another seat.`
            : `${label} is held by someone else. Pick another seat.`,
      );
      return;
    } else if (this.selection.size >= MAX_SEATS_PER_HOLD) {
      this.options.onRefusal(`You can pick up to ${MAX_SEATS_PER_HOLD} seats at a time.`);
      return;
    } else {
      this.selection.add(label);
      this.setPressed(seat, true);
    }
    this.options.onSelectionChange(this.selected());
  }

  /** Roving focus: the map is one tab stop; arrows, Home and End move between seats. */
  private onKeyDown(event: KeyboardEvent): void {
    const current = this.focusable;
    if (!current) return;
    const row = this.rows[current.row] ?? [];
    const index = row.indexOf(current);
    let target: Seat | undefined;
    switch (event.key) {
      case "ArrowRight":
        target = row[index + 1];
        break;
      case "ArrowLeft":
        target = row[index - 1];
        break;
      case "ArrowDown":
      case "ArrowUp": {
        const next = this.rows[current.row + (event.key === "ArrowDown" ? 1 : -1)];
        if (next && next.length > 0) target = nearestColumn(next, current.column);
        break;
      }
      case "Home":
        target = row[0];
        break;
      case "End":
        target = row[row.length - 1];
        break;
      default:
        return;
    }
    event.preventDefault();
    if (target) {
      this.makeFocusable(target);
      target.button.focus();
    }
  }

  private makeFocusable(seat: Seat): void {
    if (this.focusable) this.focusable.button.tabIndex = -1;
    seat.button.tabIndex = 0;
    this.focusable = seat;
  }
}

function nearestColumn(row: Seat[], column: number): Seat | undefined {
  let best = row[0];
  for (const seat of row) {
    if (best && Math.abs(seat.column - column) < Math.abs(best.column - column)) best = seat;
  }
  return best;
}
