import { describe, expect, it } from "vitest";
import { describeTarget, formatMs, formatTable, median, meets, percentile } from "./stats.js";

describe("percentile (nearest rank)", () => {
  it("picks the value at the rank, whatever the input order", () => {
    const values = [5, 1, 4, 2, 3, 10, 9, 8, 7, 6];
    expect(percentile(values, 50)).toBe(5);
    expect(percentile(values, 90)).toBe(9);
    expect(percentile(values, 99)).toBe(10);
    expect(percentile(values, 0)).toBe(1);
    expect(median([3, 1, 2])).toBe(2);
    expect(values).toEqual([5, 1, 4, 2, 3, 10, 9, 8, 7, 6]); // not sorted in place
  });

  it("is NaN without values", () => {
    expect(percentile([], 50)).toBeNaN();
  });
});

describe("targets", () => {
  it("min targets need at least the value, max targets at most", () => {
    const min = { kind: "min", value: 0.75, label: "hold/no-op" } as const;
    const max = { kind: "max", value: 3, label: "api/raw time" } as const;
    expect([meets(0.75, min), meets(0.74, min), meets(3, max), meets(3.01, max)]).toEqual([
      true,
      false,
      true,
      false,
    ]);
    expect(meets(Number.NaN, min)).toBe(false);
    expect(describeTarget(min)).toBe("hold/no-op ≥ 0.75");
    expect(describeTarget(max)).toBe("api/raw time ≤ 3");
  });
});

describe("formatting", () => {
  it("writes milliseconds and seconds", () => {
    expect(formatMs(12.345)).toBe("12.35 ms");
    expect(formatMs(250.4)).toBe("250 ms");
    expect(formatMs(4_570)).toBe("4.57 s");
  });

  it("pads columns to their widest cell, counting code points", () => {
    expect(formatTable(["a", "bb"], [["≥ 1", "x"]])).toBe("a    bb\n---  --\n≥ 1  x");
  });
});
