// For the box office staff (admins): create a show, and add a grid of seats to one.
import { MAX_SEATS_PER_REQUEST } from "@eventforge/client";
import { api, type Show } from "../api";
import { fill, formatDateTime, h } from "../dom";
import { fanMessage } from "../errors";
import { showError, showNews } from "../notices";
import { session } from "../session";

/** "A-C" → A, B, C; "A,C" → A, C; "AA-AC" → AA, AB, AC. Throws a sentence on nonsense. */
export function parseRows(text: string): string[] {
  const rows: string[] = [];
  for (const part of text
    .toUpperCase()
    .split(",")
    .map((p) => p.trim())
    .filter(Boolean)) {
    const range = /^([A-Z]{1,2})\s*-\s*([A-Z]{1,2})$/u.exec(part);
    if (!range) {
      if (!/^[A-Z]{1,2}$/u.test(part))
        throw new Error(`Rows: "${part}" is not a letter or a range like A-Z.`);
      rows.push(part);
      continue;
    }
    const [from, to] = [toIndex(range[1] ?? ""), toIndex(range[2] ?? "")];
    if (from > to) throw new Error(`Rows: ${part} runs backwards.`);
    for (let i = from; i <= to; i++) rows.push(fromIndex(i));
  }
  if (rows.length === 0) throw new Error("Rows: give a letter range such as A-Z.");
  return rows;
}

/** "1-40" → 1..40; "1-10,15" → 1..10, 15. */
export function parseNumbers(text: string): number[] {
  const numbers: number[] = [];
  for (const part of text
    .split(",")
    .map((p) => p.trim())
    .filter(Boolean)) {
    const range = /^(\d{1,4})\s*(?:-\s*(\d{1,4}))?$/u.exec(part);
    if (!range) throw new Error(`Numbers: "${part}" is not a number or a range like 1-40.`);
    const from = Number(range[1]);
    const to = range[2] === undefined ? from : Number(range[2]);
    if (from < 1 || from > to) throw new Error(`Numbers: ${part} must run upwards from 1.`);
    for (let n = from; n <= to; n++) numbers.push(n);
  }
  if (numbers.length === 0) throw new Error("Numbers: give a range such as 1-40.");
  return numbers;
}

// Spreadsheet-style letters: A..Z, AA..ZZ.
function toIndex(letters: string): number {
  return [...letters].reduce((n, c) => n * 26 + (c.charCodeAt(0) - 64), 0);
}
function fromIndex(index: number): string {
  let name = "";
  for (let n = index; n > 0; n = Math.floor((n - 1) / 26))
    name = String.fromCharCode(65 + ((n - 1) % 26)) + name;
  return name;
}

function field(label: string, input: HTMLElement): HTMLElement {
  return h("label", { class: "field" }, h("span", {}, label), input);
}

export async function renderAdmin(main: HTMLElement): Promise<void> {
  if (session.current()?.user.role !== "admin") {
    fill(
      main,
      h("h1", {}, "Box office staff"),
      h("p", {}, "Sign in with a staff (admin) account to manage shows."),
    );
    return;
  }
  const showSelect = h("select", { name: "show_id", required: true });
  const addShowOption = (show: Show, selected: boolean) => {
    const option = h("option", { value: show.id }, `${show.title} · ${formatDateTime(show.starts_at)}`);
    option.selected = selected;
    showSelect.append(option);
  };
  try {
    const page = await api.shows.list.query({ limit: 100 });
    for (const show of page.items) addShowOption(show, false);
  } catch (error) {
    showError(fanMessage(error));
  }

  const createForm = h(
    "form",
    { class: "card form", "aria-label": "Create a show" },
    field("Title", h("input", { name: "title", required: true, maxlength: 200 })),
    field("Venue", h("input", { name: "venue", required: true, maxlength: 200 })),
    field("Starts at", h("input", { name: "starts_at", type: "datetime-local", required: true })),
    h("button", { type: "submit" }, "Create show"),
  );
  createForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    const data = new FormData(createForm);
    // datetime-local is the fan's local wall time; Date reads it as such.
    const startsAt = new Date(String(data.get("starts_at")));
    if (Number.isNaN(startsAt.getTime())) {
      showError("Starts at: pick a date and a time.");
      return;
    }
    try {
      const show = await api.shows.create.mutate({
        title: String(data.get("title")),
        venue: String(data.get("venue")),
        starts_at: startsAt,
      });
      addShowOption(show, true);
      createForm.reset();
      showNews(`Created “${show.title}”. Add its seats below.`);
    } catch (error) {
      showError(fanMessage(error));
    }
  });

  const seatsForm = h(
    "form",
    { class: "card form", "aria-label": "Add seats" },
    field("Show", showSelect),
    field("Rows", h("input", { name: "rows", placeholder: "A-Z", required: true })),
    field("Numbers", h("input", { name: "numbers", placeholder: "1-40", required: true })),
    h("button", { type: "submit" }, "Add seats"),
  );
  seatsForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    const data = new FormData(seatsForm);
    let labels: string[];
    try {
      const rows = parseRows(String(data.get("rows")));
      const numbers = parseNumbers(String(data.get("numbers")));
      labels = rows.flatMap((row) => numbers.map((n) => `${row}${n}`));
    } catch (error) {
      showError((error as Error).message);
      return;
    }
    if (labels.length > MAX_SEATS_PER_REQUEST) {
      showError(`That is ${labels.length} seats; add at most ${MAX_SEATS_PER_REQUEST} at a time.`);
      return;
    }
    const showId = Number(data.get("show_id"));
    try {
      const { seats } = await api.seats.add.mutate({ show_id: showId, seat_numbers: labels });
      showNews(`Added ${seats.length} seats (${labels[0]} to ${labels[labels.length - 1]}).`);
    } catch (error) {
      showError(fanMessage(error));
    }
  });

  fill(
    main,
    h("h1", {}, "Box office staff"),
    h("h2", {}, "Create a show"),
    createForm,
    h("h2", {}, "Add seats"),
    seatsForm,
  );
}
