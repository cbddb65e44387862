// A show: its seat map, kept current by the seat feed, and the selection panel: pick seats (up to
// MAX_SEATS_PER_HOLD) → Hold (one holdMany) → a countdown to the hold's expiry → Confirm (one
// confirmMany) or Release. A hold that lapses while the fan looks is said so, and its seats go back
// on sale.
import { errorDataOf, MAX_SEATS_PER_HOLD } from "@eventforge/client";
import { api, type Reservation } from "../api";
import { fill, formatDateTime, h } from "../dom";
import { fanMessage } from "../errors";
import { watchSeats } from "../live";
import { type KnownReservation, myReservations } from "../my-reservations";
import { clearNotices, showError, showNews } from "../notices";
import { navigate, signInPath } from "../router";
import { SeatMap } from "../seat-map";
import { session } from "../session";

/** The performance mark set once the seat map's first frame is painted. */
export const SEAT_MAP_PAINTED = "eventforge:seat-map-painted";

function listOf(labels: readonly string[]): string {
  if (labels.length <= 1) return labels.join("");
  return `${labels.slice(0, -1).join(", ")} and ${labels[labels.length - 1]}`;
}

function countdown(ms: number): string {
  const seconds = Math.max(0, Math.ceil(ms / 1000));
  return `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, "0")}`;
}

/** Renders the show page; returns what stops its feed and timers when the fan leaves. */
export async function renderShow(main: HTMLElement, showId: number): Promise<() => void> {
  fill(main, h("p", { class: "loading" }, "Loading the seat map…"));
  let show: Awaited<ReturnType<typeof api.shows.get.query>>;
  let snapshot: Awaited<ReturnType<typeof api.availability.get.query>>;
  try {
    [show, snapshot] = await Promise.all([
      api.shows.get.query({ show_id: showId }),
      api.availability.get.query({ show_id: showId }),
    ]);
  } catch (error) {
    fill(
      main,
      h("h1", {}, "Show"),
      h("p", {}, h("a", { href: "/", "data-link": true }, "Back to all shows")),
    );
    showError(fanMessage(error));
    return () => {};
  }
  // The server's clock, not this device's, decides when a hold lapses.
  const clockOffsetMs = snapshot.as_of.getTime() - Date.now();
  const serverNow = () => Date.now() + clockOffsetMs;

  // Seats that are the fan's: recomputed when their reservations change, read per seat painted.
  let mine: KnownReservation[] = [];
  let mineSeatIds = new Set<number>();
  const refreshMine = () => {
    mine = myReservations
      .all()
      .filter((reservation) => reservation.show_id === showId)
      .filter((reservation) => reservation.status === "HELD" || reservation.status === "CONFIRMED")
      .filter(
        (reservation) =>
          reservation.status === "CONFIRMED" || Date.parse(reservation.hold_expiry) > serverNow(),
      );
    mineSeatIds = new Set(mine.map((known) => known.seat_id));
  };
  refreshMine();

  const counts = h("p", { class: "counts", "aria-live": "off" });
  const selectionLine = h("p", { class: "selection" });
  const holdButton = h("button", { type: "button", class: "primary" }, "Hold");
  const heldLine = h("p", { class: "held" });
  const confirmButton = h("button", { type: "button", class: "primary" }, "Confirm");
  const releaseButton = h("button", { type: "button" }, "Release");
  const boughtLine = h("p", { class: "bought" });
  const heldActions = h("div", { class: "actions" }, confirmButton, releaseButton);
  const panel = h(
    "section",
    { class: "panel", "aria-label": "Your seats" },
    h("div", { class: "pick" }, selectionLine, holdButton),
    h("div", { class: "hold" }, heldLine, heldActions),
    boughtLine,
  );

  // The live feed may announce the fan's own change before the answer to it arrives: seats being
  // held count as the fan's meanwhile, and seats being released are not news of a lapse.
  const beingHeld = new Set<number>();
  const seatIdOf = new Map(snapshot.seats.map((seat) => [seat.seat_number, seat.seat_id]));
  const beingReleased = new Set<number>();
  const map = new SeatMap(snapshot.seats, {
    isMine: (seatId) => mineSeatIds.has(seatId) || beingHeld.has(seatId),
    onSelectionChange: () => paintPanel(),
    onRefusal: (message) => showError(message),
  });

  const paintCounts = () => {
    const c = map.counts();
    counts.textContent = `${c.AVAILABLE} of ${c.total} seats available · ${c.HELD} on hold · ${c.CONFIRMED} sold`;
  };

  const held = () => mine.filter((known) => known.status === "HELD");

  function paintPanel() {
    const selected = map.selected();
    selectionLine.textContent =
      selected.length > 0
        ? `Selected (${selected.length} of up to ${MAX_SEATS_PER_HOLD}): ${listOf(selected)}`
        : `Pick up to ${MAX_SEATS_PER_HOLD} seats on the map.`;
    holdButton.disabled = selected.length === 0;
    const holds = held();
    const hold = panel.querySelector<HTMLElement>(".hold");
    if (hold) hold.hidden = holds.length === 0;
    if (holds.length > 0) {
      const expiry = Math.min(...holds.map((known) => Date.parse(known.hold_expiry)));
      heldLine.textContent = `Held for you: ${listOf(holds.map((k) => k.seat_number))}. ${countdown(expiry - serverNow())} left to confirm.`;
    }
    const bought = mine.filter((known) => known.status === "CONFIRMED").map((known) => known.seat_number);
    boughtLine.textContent = bought.length > 0 ? `Your tickets: ${listOf(bought)}.` : "";
  }

  /** The fan's own change, painted at once rather than on the feed's next word. */
  const applyReservations = (reservations: readonly Reservation[], labels: ReadonlyMap<number, string>) => {
    myReservations.record(reservations, labels);
    refreshMine();
    for (const reservation of reservations) {
      map.apply({
        seat_id: reservation.seat_id,
        seat_number: labels.get(reservation.seat_id) ?? "",
        status:
          reservation.status === "HELD" || reservation.status === "CONFIRMED"
            ? reservation.status
            : "AVAILABLE",
        hold_expiry: reservation.status === "HELD" ? reservation.hold_expiry : null,
      });
    }
    paintCounts();
    paintPanel();
  };

  const lapse = (lapsed: readonly KnownReservation[]) => {
    myReservations.markExpired(lapsed.map((known) => known.id));
    refreshMine();
    // A lapsed hold reads as available at once (the sweeper records the expiry shortly).
    for (const known of lapsed) {
      map.apply({
        seat_id: known.seat_id,
        seat_number: known.seat_number,
        status: "AVAILABLE",
        hold_expiry: null,
      });
    }
    paintCounts();
    paintPanel();
  };

  const labelsOf = (reservations: readonly Reservation[]) =>
    new Map(reservations.map((r) => [r.seat_id, map.labelOf(r.seat_id) ?? ""]));

  holdButton.addEventListener("click", async () => {
    const seatNumbers = map.selected();
    if (seatNumbers.length === 0) return;
    if (!session.current()) {
      navigate(signInPath());
      return;
    }
    holdButton.disabled = true;
    for (const label of seatNumbers) beingHeld.add(seatIdOf.get(label) ?? 0);
    try {
      const { reservations } = await api.reservations.holdMany.mutate({
        show_id: showId,
        seat_numbers: seatNumbers,
      });
      map.clearSelection();
      applyReservations(reservations, labelsOf(reservations));
      showNews(
        `${listOf(seatNumbers)} ${seatNumbers.length === 1 ? "is" : "are"} yours for now. Confirm to buy.`,
      );
    } catch (error) {
      showError(fanMessage(error));
      // Typed by what holdMany can answer: SEAT_TAKEN's details list every taken seat.
      const failure = errorDataOf(error, "reservations.holdMany");
      if (failure?.reason === "SEAT_TAKEN") {
        for (const seat of failure.details.seats) {
          map.apply({
            seat_id: seat.seat_id,
            seat_number: seat.seat_number,
            status: seat.held_until ? "HELD" : "CONFIRMED",
            hold_expiry: seat.held_until ? new Date(seat.held_until) : null,
          });
        }
        paintCounts();
      }
    } finally {
      beingHeld.clear();
      map.repaintMine();
      paintPanel();
    }
  });

  confirmButton.addEventListener("click", async () => {
    const holds = held();
    if (holds.length === 0) return;
    confirmButton.disabled = true;
    try {
      const { reservations } = await api.reservations.confirmMany.mutate({
        reservation_ids: holds.map((known) => known.id),
      });
      applyReservations(reservations, labelsOf(reservations));
      showNews(`You bought ${listOf(holds.map((known) => known.seat_number))}. Enjoy the show!`);
    } catch (error) {
      showError(fanMessage(error));
      const failure = errorDataOf(error, "reservations.confirmMany");
      if (failure?.reason === "HOLD_EXPIRED") {
        const lapsed = new Set(failure.details.reservation_ids);
        lapse(holds.filter((known) => lapsed.has(known.id)));
      }
    } finally {
      confirmButton.disabled = false;
    }
  });

  releaseButton.addEventListener("click", async () => {
    const holds = held();
    if (holds.length === 0) return;
    releaseButton.disabled = true;
    for (const known of holds) beingReleased.add(known.seat_id);
    try {
      // Sent together: the client batches these into one request.
      const reservations = await Promise.all(
        holds.map((known) => api.reservations.release.mutate({ reservation_id: known.id })),
      );
      applyReservations(reservations, labelsOf(reservations));
      showNews(`Released ${listOf(holds.map((known) => known.seat_number))}. They are back on sale.`);
    } catch (error) {
      showError(fanMessage(error));
    } finally {
      beingReleased.clear();
      releaseButton.disabled = false;
    }
  });

  /** Holds of this fan that the server now reports free: lapsed (or cancelled by the staff). */
  const noticeLapses = (lapsed: readonly KnownReservation[]) => {
    if (lapsed.length === 0) return;
    lapse(lapsed);
    showError(
      `Your hold on ${listOf(lapsed.map((known) => known.seat_number))} ran out, so ${lapsed.length === 1 ? "it is" : "they are"} back on sale. Pick seats again to hold them.`,
    );
  };

  const feed = watchSeats(showId, snapshot, {
    apply: (change) => {
      map.apply(change);
      paintCounts();
      if (change.status === "AVAILABLE")
        noticeLapses(held().filter((known) => known.seat_id === change.seat_id));
    },
  });

  const ticker = window.setInterval(() => {
    const lapsed = held().filter((known) => Date.parse(known.hold_expiry) <= serverNow());
    if (lapsed.length > 0) noticeLapses(lapsed);
    else paintPanel();
  }, 1_000);

  const header = h(
    "div",
    { class: "show-head" },
    h("h1", {}, show.title),
    h(
      "p",
      {},
      `${show.venue} · `,
      h("time", { datetime: show.starts_at.toISOString() }, formatDateTime(show.starts_at)),
    ),
    counts,
  );
  const legend = h(
    "ul",
    { class: "legend", "aria-label": "Legend" },
    ...(["available", "held", "confirmed", "mine"] as const).map((status) =>
      h(
        "li",
        {},
        h("span", { class: "swatch", "data-legend": status, "aria-hidden": "true" }),
        { available: "available", held: "on hold", confirmed: "sold", mine: "yours" }[status],
      ),
    ),
  );
  const stage = h("div", { class: "stage", "aria-hidden": "true" }, "Stage");
  fill(
    main,
    header,
    legend,
    h("div", { class: "map-scroll" }, stage, map.element),
    panel,
    session.current()
      ? null
      : h("p", {}, h("a", { href: signInPath(), "data-link": true }, "Sign in"), " to hold and buy seats."),
  );
  clearNotices();
  paintCounts();
  paintPanel();
  // User Timing for whoever measures (the browser test reports it): the map's first frame.
  requestAnimationFrame(() => setTimeout(() => performance.mark(SEAT_MAP_PAINTED)));
  return () => {
    feed.stop();
    window.clearInterval(ticker);
  };
}
