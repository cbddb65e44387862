import { normalizeSeatLabel } from "@eventforge/domain";
import { describe, expect, it } from "vitest";
import { chunk, rowName, shuffled, venueLabels } from "./labels.js";

describe("venueLabels", () => {
  it("lays seats out in rows A, B, … Z, AA, …", () => {
    expect(venueLabels(5, 2)).toEqual(["A1", "A2", "B1", "B2", "C1"]);
    expect([0, 25, 26, 701, 702].map(rowName)).toEqual(["A", "Z", "AA", "ZZ", "AAA"]);
  });

  it("gives 100,000 distinct labels already in their normalized spelling", () => {
    const labels = venueLabels(100_000);
    expect(new Set(labels).size).toBe(100_000);
    expect(labels.every((l) => normalizeSeatLabel(l) === l)).toBe(true);
  });
});

describe("chunk and shuffled", () => {
  it("chunks keep every item in order", () => {
    expect(chunk([1, 2, 3, 4, 5], 2)).toEqual([[1, 2], [3, 4], [5]]);
    expect(() => chunk([1], 0)).toThrow(RangeError);
  });

  it("shuffles deterministically for a seed, keeping every item", () => {
    const items = Array.from({ length: 100 }, (_, i) => i);
    expect(shuffled(items, 7)).toEqual(shuffled(items, 7));
    expect(shuffled(items, 7)).not.toEqual(items);
    expect([...shuffled(items, 7)].sort((a, b) => a - b)).toEqual(items);
  });
});
