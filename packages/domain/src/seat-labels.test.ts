import { describe, expect, it } from "vitest";
import { InvalidSeatLabelError } from "./errors.js";
import {
  compareByteOrder,
  findRepeatedLabels,
  normalizeSeatLabel,
  seatSortKey,
  sortSeatLabels,
} from "./seat-labels.js";

describe("normalizeSeatLabel", () => {
  it("trims, collapses whitespace runs and uppercases", () => {
    expect(["A1", "A2", " c5 "].map(normalizeSeatLabel)).toEqual(["A1", "A2", "C5"]);
    expect(normalizeSeatLabel("  box \t 3\n a ")).toBe("BOX 3 A");
  });

  it.each([
    ["", "empty"],
    ["   ", "empty"],
    ["A".repeat(33), "longer than 32"],
    ["A\u0000", "non-printable"],
    ["A\u200B1", "non-printable"],
  ])("rejects %j (%s)", (raw, why) => {
    expect(() => normalizeSeatLabel(raw)).toThrow(InvalidSeatLabelError);
    expect(() => normalizeSeatLabel(raw)).toThrow(why);
  });

  it("accepts exactly 32 characters after normalization", () => {
    expect(normalizeSeatLabel(` ${"b".repeat(32)} `)).toBe("B".repeat(32));
  });
});

describe("findRepeatedLabels", () => {
  it("names each label that occurs more than once, once, in natural order", () => {
    const labels = ["a1", "A1 ", "b10", "B10", "b10", "C3", "b2", "B2"].map(normalizeSeatLabel);
    expect(findRepeatedLabels(labels)).toEqual(["A1", "B2", "B10"]);
    expect(findRepeatedLabels(["A1", "A2"])).toEqual([]);
  });
});

describe("natural order", () => {
  it("puts A2 before A10 and rows in alphabetical order", () => {
    expect(sortSeatLabels(["A10", "B1", "A2", "A1", "AA1", "B10", "B9"])).toEqual([
      "A1",
      "A2",
      "A10",
      "AA1",
      "B1",
      "B9",
      "B10",
    ]);
  });

  it("orders numbers of any length by value, leading zeros aside", () => {
    expect(sortSeatLabels(["R100", "R20", "R3", "R007"])).toEqual(["R3", "R007", "R20", "R100"]);
    expect(seatSortKey("A10") > seatSortKey("A9")).toBe(true);
  });

  it("compares strings in UTF-8 byte order without encoding them", () => {
    const strings = [
      "",
      "a",
      "A",
      "ab",
      "\u00e9",
      "\uFF21",
      "\uE000",
      "\uD7FF",
      "\u{1F600}",
      "\u{10000}",
      "a\u{1F600}",
      "a\uFFFF",
    ];
    for (const a of strings) {
      for (const b of strings) {
        expect(Math.sign(compareByteOrder(a, b)), `${a} vs ${b}`).toBe(
          Math.sign(Buffer.compare(Buffer.from(a), Buffer.from(b))),
        );
      }
    }
  });

  it("orders by code point beyond the BMP, as PostgreSQL's C collation does", () => {
    // UTF-16 code units would put the emoji (a surrogate pair, 0xD83D...) before U+FF21.
    expect(sortSeatLabels(["\u{1F600}", "\uFF21"])).toEqual(["\uFF21", "\u{1F600}"]);
  });
});
