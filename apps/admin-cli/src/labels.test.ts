import { describe, expect, it } from "vitest";
import { UsageError } from "./errors.js";
import {
  chunk,
  expandLabelArgument,
  findRepeats,
  grid,
  parseLabelsFile,
  parseNumbers,
  parseRows,
} from "./labels.js";

describe("label arguments", () => {
  it("expand a range within one row, keeping zero padding", () => {
    expect(expandLabelArgument("A1-A5")).toEqual(["A1", "A2", "A3", "A4", "A5"]);
    expect(expandLabelArgument("A8-12")).toEqual(["A8", "A9", "A10", "A11", "A12"]);
    expect(expandLabelArgument("B08-B11")).toEqual(["B08", "B09", "B10", "B11"]);
    expect(expandLabelArgument("a1-A2")).toEqual(["a1", "a2"]);
    expect(expandLabelArgument("BOX 1-BOX 2")).toEqual(["BOX 1", "BOX 2"]);
    expect(expandLabelArgument("7-9")).toEqual(["7", "8", "9"]);
  });

  it("take anything that is not a range as one label", () => {
    expect(expandLabelArgument("A1")).toEqual(["A1"]);
    expect(expandLabelArgument("STAGE-LEFT")).toEqual(["STAGE-LEFT"]);
    expect(expandLabelArgument(" c5 ")).toEqual([" c5 "]);
  });

  it("refuse ranges across rows, backwards or absurdly long", () => {
    expect(() => expandLabelArgument("A1-B5")).toThrow(UsageError);
    expect(() => expandLabelArgument("A5-A1")).toThrow(/low to high/u);
    expect(() => expandLabelArgument("A1-A1000000")).toThrow(/more than 100,000/u);
  });
});

describe("grids", () => {
  it("take rows as letter ranges or names, and numbers as ranges or lists", () => {
    expect(parseRows("A-C")).toEqual(["A", "B", "C"]);
    expect(parseRows("A-B,D,AA")).toEqual(["A", "B", "D", "AA"]);
    expect(parseNumbers("1-3,7,010-011")).toEqual(["1", "2", "3", "7", "010", "011"]);
    expect(grid(["A", "B"], ["1", "2"])).toEqual(["A1", "A2", "B1", "B2"]);
    expect(grid(parseRows("A-Z"), parseNumbers("1-40"))).toHaveLength(1_040);
  });

  it("refuse what they cannot read", () => {
    expect(() => parseRows("C-A")).toThrow(UsageError);
    expect(() => parseRows("A,,B")).toThrow(UsageError);
    expect(() => parseNumbers("1-x")).toThrow(/not a number or a range/u);
    expect(() => parseNumbers("5-1")).toThrow(UsageError);
    expect(() => grid(parseRows("A-Z"), parseNumbers("1-4000"))).toThrow(UsageError);
  });
});

describe("label files", () => {
  it("read one label per line or CSV cells, skipping blanks and # comments", () => {
    const text = '# balcony\r\nA1\nA2, A3,,\n\n"B 1","say ""hi""",C1\n  # indented comment\n';
    expect(parseLabelsFile(text)).toEqual(["A1", "A2", " A3", "B 1", 'say "hi"', "C1"]);
  });
});

describe("repeats", () => {
  it("are found in the spelling the server stores", () => {
    expect(findRepeats(["A1", " a1", "B  2", "b 2", "C3"])).toEqual(["A1", "B 2"]);
    expect(findRepeats(["A1", "A10"])).toEqual([]);
  });
});

it("chunks keep order and the last one holds the rest", () => {
  expect(chunk([1, 2, 3, 4, 5], 2)).toEqual([[1, 2], [3, 4], [5]]);
  expect(chunk([], 2)).toEqual([]);
});
