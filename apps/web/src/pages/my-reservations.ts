// "My reservations": the signed-in user's holds and tickets from reservations.list (newest first,
// a page at a time), with each show's title and each seat's label.
import { api, type Reservation, type Show } from "../api";
import { fill, formatDateTime, h } from "../dom";
import { fanMessage } from "../errors";
import { showError } from "../notices";

const STATUS_WORDS: Record<Reservation["status"], string> = {
  HELD: "held",
  CONFIRMED: "bought",
  EXPIRED: "hold ran out",
  CANCELLED: "released",
};

const PAGE_SIZE = 50;

export async function renderMyReservations(main: HTMLElement): Promise<void> {
  const body = h("tbody");
  const more = h("button", { type: "button" }, "Older reservations");
  const empty = h("p", {}, "You have no reservations yet.");
  const table = h(
    "div",
    { class: "table-scroll" },
    h(
      "table",
      {},
      h(
        "thead",
        {},
        h("tr", {}, h("th", {}, "Show"), h("th", {}, "Seat"), h("th", {}, "Status"), h("th", {}, "Hold")),
      ),
      body,
    ),
  );
  fill(main, h("h1", {}, "My reservations"), h("p", { class: "loading" }, "Loading…"));
  const shows = new Map<number, Show>();
  const labels = new Map<number, string>();
  let cursor: number | undefined;

  const loadPage = async () => {
    const page = await api.reservations.list.query({
      limit: PAGE_SIZE,
      ...(cursor === undefined ? {} : { cursor }),
    });
    const newShows = [...new Set(page.items.map((r) => r.show_id))].filter((id) => !shows.has(id));
    // One batched request for the titles and the seat labels of shows not seen yet.
    const [showList, seatLists] = await Promise.all([
      Promise.all(newShows.map((id) => api.shows.get.query({ show_id: id }))),
      Promise.all(newShows.map((id) => api.seats.list.query({ show_id: id }))),
    ]);
    for (const show of showList) shows.set(show.id, show);
    for (const { seats } of seatLists) for (const seat of seats) labels.set(seat.id, seat.seat_number);
    for (const reservation of page.items) {
      const show = shows.get(reservation.show_id);
      body.append(
        h(
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
          h(
            "td",
            {},
            reservation.status === "HELD" ? `until ${formatDateTime(reservation.hold_expiry)}` : "",
          ),
        ),
      );
    }
    cursor = page.next_cursor ?? undefined;
    more.hidden = cursor === undefined;
  };

  more.addEventListener("click", async () => {
    more.disabled = true;
    try {
      await loadPage();
    } catch (error) {
      showError(fanMessage(error));
    } finally {
      more.disabled = false;
    }
  });

  try {
    await loadPage();
  } catch (error) {
    showError(fanMessage(error));
    return;
  }
  fill(main, h("h1", {}, "My reservations"), body.childElementCount === 0 ? empty : table, more);
}
