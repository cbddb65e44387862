import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { PACKAGE_DIR, useCliWorld } from "./harness.js";

const w = useCliWorld();
let fanDir: string;

beforeAll(async () => {
  fanDir = (await w.signUpFan()).dir;
});

describe("seats", () => {
  it("adds a 26×40 grid, a range and a file, in natural order", async () => {
    const [grid, ranged] = await Promise.all([
      w.json(
        ["shows", "create", "--title", "Gala", "--venue", "Main Hall", "--starts-at", "2031-01-01T20:00Z"],
        {
          as: w.adminDir,
        },
      ),
      w.json(
        ["shows", "create", "--title", "Club", "--venue", "Cellar", "--starts-at", "2031-01-02T20:00Z"],
        {
          as: w.adminDir,
        },
      ),
    ]);
    const [gridAdded, rangeAdded] = await Promise.all([
      w.ok(["seats", "add", String(grid.id), "--rows", "A-Z", "--numbers", "1-40"], { as: w.adminDir }),
      w.json(["seats", "add", String(ranged.id), "R8-R11", "S01-S02", "--file", "src/testdata/boxes.csv"], {
        as: w.adminDir,
        cwd: PACKAGE_DIR,
      }),
    ]);
    expect(gridAdded).toBe(`added 1,040 seats to show ${grid.id}\n`);
    expect(rangeAdded).toMatchObject({ show_id: ranged.id, added: 11, skipped: 0 });

    const [gridSeats, rangeSeats] = await Promise.all([
      w.json(["seats", "list", String(grid.id)]),
      w.ok(["seats", "list", String(ranged.id)]),
    ]);
    const gridLabels = gridSeats.seats.map((s: { seat_number: string }) => s.seat_number);
    expect(gridLabels).toHaveLength(1_040);
    expect(gridLabels.slice(0, 11)).toEqual([
      "A1",
      "A2",
      "A3",
      "A4",
      "A5",
      "A6",
      "A7",
      "A8",
      "A9",
      "A10",
      "A11",
    ]);
    expect(gridLabels.at(-1)).toBe("Z40");
    const rangeLabels = rangeSeats
      .split("\n")
      .slice(1, -1)
      .map((line) => line.split(/ {2,}/u)[1]);
    expect(rangeLabels).toEqual([
      "BOX 1",
      "BOX 2",
      "BOX 3",
      "BOX 4",
      "R8",
      "R9",
      "R10",
      "R11",
      "S01",
      "S02",
      "STAGE-LEFT",
    ]);
    expect(rangeAdded.seats.map((s: { seat_number: string }) => s.seat_number)).toEqual(rangeLabels);
  });

  it("goes in chunks, all or nothing each, says what a failed chunk left, and --skip-existing finishes", async () => {
    const show = await w.json(
      ["shows", "create", "--title", "Chunks", "--venue", "Hall", "--starts-at", "2031-01-03T20:00Z"],
      { as: w.adminDir },
    );
    const id = String(show.id);
    await w.ok(["seats", "add", id, "b5"], { as: w.adminDir });
    const grid = ["--rows", "A-C", "--numbers", "1-10", "--chunk-size", "10"];
    expect(await w.eventforge(["seats", "add", id, ...grid], { as: w.adminDir })).toEqual({
      code: 1,
      stdout: "",
      stderr:
        "DUPLICATE_SEAT_LABEL: already on the show: B5; chunk 2 of 3 failed and added nothing; chunk 1 was added " +
        "(10 seats); not added: 20 of 30 seats: fix the cause and run the same command with " +
        "--skip-existing to add the rest\n",
    });
    expect((await w.json(["seats", "list", id])).seats).toHaveLength(11);
    const finished = await w.json(["seats", "add", id, ...grid, "--skip-existing"], { as: w.adminDir });
    expect(finished).toMatchObject({ added: 19, skipped: 11 });
    expect(await w.ok(["seats", "add", id, "A1-A3", "--skip-existing"], { as: w.adminDir })).toBe(
      `nothing to add: all 3 seats are already on show ${id}\n`,
    );
    expect((await w.json(["seats", "list", id])).seats).toHaveLength(30);
  });

  it("refuses repeats before sending anything, and shorthand it cannot read as a usage error", async () => {
    const show = await w.json(
      ["shows", "create", "--title", "Refusals", "--venue", "Hall", "--starts-at", "2031-01-04T20:00Z"],
      { as: w.adminDir },
    );
    const id = String(show.id);
    const runs = await Promise.all([
      w.eventforge(["seats", "add", id, "A1-A3", " a2"], { as: w.adminDir }),
      w.eventforge(["seats", "add", id, "A3-A1"], { as: w.adminDir }),
      w.eventforge(["seats", "add", id, "--rows", "A-C"], { as: w.adminDir }),
      w.eventforge(["seats", "add", id], { as: w.adminDir }),
      w.eventforge(["seats", "add", id, "--file", "no-such-file.csv"], { as: w.adminDir }),
      w.eventforge(["seats", "add", id, "A1"], { as: fanDir }),
    ]);
    expect(runs.map(({ code, stderr }) => [code, stderr])).toEqual([
      [1, "DUPLICATE_SEAT_LABEL: repeated: A2; nothing was added\n"],
      [2, "error: A3-A1: a range goes from low to high\n"],
      [2, "error: --rows and --numbers go together: --rows A-Z --numbers 1-40\n"],
      [2, "error: no seats given: name labels, a range, a grid or a --file\n"],
      [1, "FILE_UNREADABLE: cannot read no-such-file.csv: ENOENT\n"],
      [1, "FORBIDDEN: this needs an admin account; nothing was added\n"],
    ]);
    expect((await w.json(["seats", "list", id])).seats).toEqual([]);
  });
});

describe("from the repository root", () => {
  it("`pnpm -s eventforge` passes every argument and reads files relative to where it was typed", async () => {
    const show = await w.json(
      ["shows", "create", "--title", "Via pnpm", "--venue", "Hall", "--starts-at", "2031-01-05T20:00Z"],
      { as: w.adminDir },
    );
    // From apps/, which is no package: pnpm runs the root's script, whose `cd "$INIT_CWD"` brings it back
    // here. (In apps/admin-cli pnpm would run the bin directly and the script would not be tested.)
    const added = await w.json(
      ["seats", "add", String(show.id), "BOX 9", "--file", "admin-cli/src/testdata/boxes.csv"],
      {
        as: w.adminDir,
        cwd: join(PACKAGE_DIR, ".."),
        command: ["pnpm", "-s", "eventforge"],
      },
    );
    expect(added.seats.map((s: { seat_number: string }) => s.seat_number)).toEqual([
      "BOX 1",
      "BOX 2",
      "BOX 3",
      "BOX 4",
      "BOX 9",
      "STAGE-LEFT",
    ]);
  });
});
