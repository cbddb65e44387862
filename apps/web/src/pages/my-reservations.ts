// "My reservations": the signed-in user's holds and tickets, as the server has them now.
import { api, type Reservation } from "../api";
import { fill, formatDateTime, h } from "../dom";
import { fanMessage } from "../errors";
import { myReservations } from "../my-reservations";
import { showError } from "../notices";

const STATUS_WORDS: Record<Reservation["status"], string> = {
  HELD: "on hold",
  CONFIRMED: "bought",
  EXPIRED: "hold ran out",
  CANCELLED: "released",
};

export async function renderMyReservations(main: HTMLElement): Promise<void> {
  fill(main, h("h1", {}, "My reservations"), h("p", { class: "loading" }, "Loading…"));
  // This browser's own record; each is re-read from the server (batched) for its current state.
  const known = myReservations.all().sort((a, b) => b.id - a.id);
  let current: Reservation[];
  try {
    current = await Promise.all(known.map((k) => api.reservations.get.query({ reservation_id: k.id })));
  } catch (error) {
    showError(fanMessage(error));
    return;
  }
  const labels = new Map(known.map((k) => [k.seat_id, k.seat_number]));
  myReservations.record(current, labels);
  const shows = new Map(
    (
      await Promise.all(
        [...new Set(current.map((r) => r.show_id))].map((id) => api.shows.get.query({ show_id: id })),
      )
    ).map((show) => [show.id, show]),
  );
  const rows = current.map((reservation) => {
    const show = shows.get(reservation.show_id);
    return h(
      "tr",
      { "data-reservation": reservation.id, "data-reservation-status": reservation.status.toLowerCase() },
      h(
        "td",
        {},
        show
          ? h("a", { href: `/show/${show.id}`, "data-link": true }, show.title)
          : `Show ${reservation.show_id}`,
      ),
      h("td", {}, labels.get(reservation.seat_id) ?? ""),
      h("td", {}, STATUS_WORDS[reservation.status]),
      h("td", {}, reservation.status === "HELD" ? `until ${formatDateTime(reservation.hold_expiry)}` : ""),
    );
  });
  fill(
    main,
    h("h1", {}, "My reservations"),
    rows.length === 0
      ? h("p", {}, "No reservations made in this browser yet.")
      : h(
          "div",
          { class: "table-scroll" },
          h(
            "table",
            {},
            h(
              "thead",
              {},
              h(
                "tr",
                {},
                h("th", {}, "Show"),
                h("th", {}, "Seat"),
                h("th", {}, "Status"),
                h("th", {}, "Hold"),
              ),
            ),
            h("tbody", {}, ...rows),
          ),
        ),
  );
}
