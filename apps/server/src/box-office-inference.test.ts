// The box office gets the server's types through @eventforge/client: code of the app that calls a
// procedure the wrong way does not compile. A correct call and two misuses, each through the app's
// own `api` object, are type-checked with the app's tsconfig; the files are removed afterwards.
import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REPOSITORY_DIR } from "./process-harness.js";

const WEB_DIR = join(REPOSITORY_DIR, "apps/web");
const TSC = join(WEB_DIR, "node_modules/.bin/tsc");

let dir: string;

beforeAll(async () => {
  // Inside apps/web, so the app's own dependencies resolve; git-ignored (.inference-check-*).
  dir = await mkdtemp(join(WEB_DIR, ".inference-check-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const CORRECT = `import { api } from "../src/api";
const { reservations } = await api.reservations.holdMany.mutate({ show_id: 1, seat_numbers: ["A5"] });
const expiry: Date | undefined = reservations[0]?.hold_expiry;
export { expiry };
`;

const MISUSE = `import { api } from "../src/api";
const answer = await api.reservations.holdMany.mutate({ show_id: 1, seat_numbers: [5] });
const missing = answer.reservation;
export { missing };
`;

describe("type inference reaches the box office", () => {
  // One tsc run (tRPC's types are heavy to check): the app, a correct call and a misuse together.
  it("accepts a correct call and refuses a wrong input and a wrong field of the output", {
    timeout: 240_000,
  }, async () => {
    await writeFile(join(dir, "correct.ts"), CORRECT);
    await writeFile(join(dir, "misuse.ts"), MISUSE);
    await writeFile(
      join(dir, "tsconfig.json"),
      JSON.stringify({ extends: "../tsconfig.json", include: ["../src", "correct.ts", "misuse.ts"] }),
    );
    const result = await new Promise<{ code: number; output: string }>((resolve) => {
      execFile(TSC, ["-p", dir, "--pretty", "false"], { cwd: WEB_DIR }, (error, stdout, stderr) => {
        resolve({ code: error ? 1 : 0, output: `${stdout}${stderr}` });
      });
    });
    expect(result.code).toBe(1);
    const errors = result.output.split("\n").filter((line) => line.includes("error TS"));
    // seat_numbers are strings (line 2); the output has \`reservations\`, not \`reservation\` (line 3);
    // and nothing else fails: not the app, not the correct call.
    expect(errors).toHaveLength(2);
    expect(errors[0]).toMatch(
      /misuse\.ts\(2,\d+\): error TS2322: Type 'number' is not assignable to type 'string'/u,
    );
    expect(errors[1]).toMatch(/misuse\.ts\(3,\d+\): error TS2551: Property 'reservation' does not exist/u);
  });
});
