import picocolors from "picocolors";
import { describe, expect, it } from "vitest";
import { table } from "./format.js";
import { type Availability, minutesLeft, renderSeatMap } from "./seat-map.js";

// Local times, so that the rendered clock times are the same in every time zone.
const AS_OF = new Date(2030, 0, 1, 12, 0, 9);
const plain = picocolors.createColors(false);

function availability(seats: [string, Availability["seats"][number]["status"], Date?][]): Availability {
  const count = (wanted: string) => seats.filter(([, status]) => status === wanted).length;
  return {
    show_id: 1,
    as_of: AS_OF,
    counts: {
      total: seats.length,
      available: count("AVAILABLE"),
      held: count("HELD"),
      confirmed: count("CONFIRMED"),
    },
    last_event_id: null,
    seats: seats.map(([seat_number, status, hold_expiry], i) => ({
      seat_id: i + 1,
      seat_number,
      status,
      hold_expiry: hold_expiry ?? null,
    })),
    next_cursor: null,
  };
}

const labels = (row: string, from: number, to: number) =>
  Array.from({ length: to - from + 1 }, (_, i) => `${row}${from + i}`);

describe("the seat map", () => {
  const heldUntil = new Date(2030, 0, 1, 12, 4, 30);
  const map = availability([
    ...labels("A", 1, 12).map((l): [string, "AVAILABLE" | "HELD", Date?] =>
      l === "A3" ? [l, "HELD", heldUntil] : [l, "AVAILABLE"],
    ),
    // An aisle: B has no seats 5 and 6.
    ...[...labels("B", 1, 4), ...labels("B", 7, 12)].map((l): [string, "AVAILABLE" | "CONFIRMED"] =>
      l === "B10" ? [l, "CONFIRMED"] : [l, "AVAILABLE"],
    ),
    ...labels("AA", 1, 2).map((l): [string, "AVAILABLE"] => [l, "AVAILABLE"]),
  ]);

  it("puts each seat under its number, one line per row, with a legend and the held seats", () => {
    expect(renderSeatMap(map, { colors: plain })).toBe(
      [
        "    1        10",
        "A   ..H.........",
        "B   ....  ...X..",
        "AA  ..",
        "",
        ". available 22   H held 1   X confirmed 1   24 seats, as of 12:00:09",
        "",
        "held seats:",
        "  A3  until 12:04, 5 min left",
      ].join("\n"),
    );
  });

  it("filtered by status, draws only those seats and rows", () => {
    expect(renderSeatMap(map, { colors: plain, status: "CONFIRMED" })).toBe(
      [
        "   1        10",
        "B           X",
        "",
        ". available 22   H held 1   X confirmed 1   24 seats, as of 12:00:09",
      ].join("\n"),
    );
    expect(renderSeatMap(availability([["A1", "AVAILABLE"]]), { colors: plain, status: "HELD" })).toContain(
      "no held seats",
    );
  });

  it("lines up seats one after another when labels carry no number", () => {
    const boxes = availability([
      ["BOX", "HELD", heldUntil],
      ["STAGE", "AVAILABLE"],
    ]);
    expect(renderSeatMap(boxes, { colors: plain }).split("\n").slice(0, 2)).toEqual(["BOX    H", "STAGE  ."]);
  });

  it("lists ten held seats under the whole map and all of them with --status HELD", () => {
    const many = availability(labels("C", 1, 12).map((l) => [l, "HELD", heldUntil]));
    expect(renderSeatMap(many, { colors: plain })).toMatch(/C10 +until 12:04, 5 min left\n {2}and 2 more/u);
    expect(renderSeatMap(many, { colors: plain, status: "HELD" })).toMatch(/C12 +until 12:04, 5 min left$/u);
  });

  it("uses coloured shapes when colour is on, and nothing but plain symbols when it is off", () => {
    const coloured = renderSeatMap(map, { colors: picocolors.createColors(true) });
    expect(coloured).toContain("\u001b[33m◐\u001b[39m");
    expect(coloured).toContain("\u001b[31m●\u001b[39m");
    // One colour code per run of seats, not one per seat.
    expect(coloured).toContain(
      "\nA   \u001b[32m○○\u001b[39m\u001b[33m◐\u001b[39m\u001b[32m○○○○○○○○○\u001b[39m\n",
    );
    // Plain is printable ASCII and newlines only: no escape codes, no shapes.
    expect(renderSeatMap(map, { colors: plain })).toMatch(/^[ -~\n]+$/u);
  });
});

it("draws a stadium of 200,000 seats, a row of 1,000 seats one after another, and lists them all", () => {
  const rows = Array.from({ length: 200 }, (_, i) => `R${String(i + 1).padStart(3, "0")}-`);
  const stadium = availability(
    rows.flatMap((row) => labels(row, 1, 1_000).map((l): [string, "AVAILABLE"] => [l, "AVAILABLE"])),
  );
  const lines = renderSeatMap(stadium, { colors: plain }).split("\n");
  expect(lines[0]).toBe(`R001-  ${".".repeat(1_000)}`);
  expect(lines[200]).toBe("");
  expect(lines[201]).toMatch(/^\. available 200,000 /u);
  const listed = table([["SEAT"], ...stadium.seats.map((seat) => [seat.seat_number])]).split("\n");
  expect(listed).toHaveLength(200_001);
  expect(listed[1]).toBe("R001-1");
});

it("minutes left round up and never go below zero", () => {
  expect(minutesLeft(new Date(AS_OF.getTime() + 61_000), AS_OF)).toBe(2);
  expect(minutesLeft(new Date(AS_OF.getTime() + 60_000), AS_OF)).toBe(1);
  expect(minutesLeft(new Date(AS_OF.getTime() - 5_000), AS_OF)).toBe(0);
});
