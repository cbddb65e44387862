import { describe, expect, it } from "vitest";
import { FULL, parseOptions, QUICK } from "./options.js";

describe("parseOptions", () => {
  it("defaults to the full run; --quick scales down; a pnpm `--` is ignored", () => {
    expect(parseOptions([], "out.json")).toMatchObject({
      scale: FULL,
      out: "out.json",
      profileDir: undefined,
    });
    expect(parseOptions(["--", "--quick", "--out", "x.json"], "out.json")).toMatchObject({
      scale: QUICK,
      out: "x.json",
    });
    expect(parseOptions(["--only", "holds,confirm"], "o").only).toEqual(new Set(["holds", "confirm"]));
  });

  it("refuses unknown arguments and missing values", () => {
    expect(() => parseOptions(["--fast"], "o")).toThrow(/unknown argument --fast/u);
    expect(() => parseOptions(["--out"], "o")).toThrow(/--out needs a value/u);
    expect(() => parseOptions(["--only", "holds,bulk"], "o")).toThrow(/unknown scenario bulk/u);
  });
});
