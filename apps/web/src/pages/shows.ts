import { api, type Show } from "../api";
import { fill, formatDateTime, h } from "../dom";
import { fanMessage } from "../errors";
import { showError } from "../notices";

/** Every show, soonest first (past ones last, marked as started). */
export async function renderShows(main: HTMLElement): Promise<void> {
  const list = h("ul", { class: "show-list" });
  fill(main, h("h1", {}, "Shows"), list);
  let shows: Show[] = [];
  try {
    let cursor: number | undefined;
    do {
      const page = await api.shows.list.query({ limit: 100, ...(cursor === undefined ? {} : { cursor }) });
      shows = shows.concat(page.items);
      cursor = page.next_cursor ?? undefined;
    } while (cursor !== undefined && shows.length < 1000);
  } catch (error) {
    showError(fanMessage(error));
    return;
  }
  const now = Date.now();
  const upcoming = shows.filter((show) => show.starts_at.getTime() > now);
  const started = shows.filter((show) => show.starts_at.getTime() <= now);
  upcoming.sort((a, b) => a.starts_at.getTime() - b.starts_at.getTime());
  started.sort((a, b) => b.starts_at.getTime() - a.starts_at.getTime());
  if (shows.length === 0) list.replaceWith(h("p", {}, "No shows are on sale yet."));
  for (const show of [...upcoming, ...started]) {
    const isStarted = show.starts_at.getTime() <= now;
    list.append(
      h(
        "li",
        { class: isStarted ? "show started" : "show" },
        h("a", { href: `/show/${show.id}`, "data-link": true }, show.title),
        h("span", { class: "venue" }, show.venue),
        h("time", { datetime: show.starts_at.toISOString() }, formatDateTime(show.starts_at)),
        isStarted ? h("span", { class: "badge" }, "started") : null,
      ),
    );
  }
}
