import { expect, it } from "vitest";
import { stoppedNote } from "./seats.js";

it("an import that stopped says what is in, and is honest when the server never answered", () => {
  const third = { added: 4_000, total: 10_000, failedIndex: 2, chunks: 5 };
  expect(stoppedNote(third, true)).toBe(
    "chunk 3 of 5 failed and added nothing; chunks 1-2 were added (4,000 seats); not added: 6,000 of " +
      "10,000 seats: fix the cause and run the same command with --skip-existing to add the rest",
  );
  expect(stoppedNote(third, false)).toBe(
    "chunk 3 of 5 got no answer and may or may not have been added; chunks 1-2 were added (4,000 seats); " +
      "not added for sure: 6,000 of 10,000 seats: fix the cause and run the same command with " +
      "--skip-existing to add the rest",
  );
  const first = { added: 0, total: 10_000, failedIndex: 0, chunks: 5 };
  expect(stoppedNote(first, true)).toBe(
    "chunk 1 of 5 failed and added nothing; no chunk was added before it; not added: 10,000 of 10,000 seats",
  );
  const only = { added: 0, total: 10, failedIndex: 0, chunks: 1 };
  expect(stoppedNote(only, true)).toBe("nothing was added");
  expect(stoppedNote(only, false)).toBe(
    "the seats may or may not have been added: run the same command with --skip-existing to add the rest",
  );
});
