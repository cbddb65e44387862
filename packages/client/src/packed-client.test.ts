// Proves the published tarball works for a TypeScript project outside this workspace: inside it,
// `@eventforge/client` resolves to src/ and @eventforge/api is one symlink away, so a broken
// dist/index.d.ts (missing types, everything `any`) would never show up in the other tests.
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import * as limits from "@eventforge/api/limits";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { errorLines, taggedLines, tsc } from "./test-tsc.js";

const repoRoot = fileURLToPath(new URL("../../..", import.meta.url));
const clientDir = fileURLToPath(new URL("..", import.meta.url));

const consumerTsconfig = {
  compilerOptions: {
    strict: true,
    target: "ES2023",
    module: "NodeNext",
    moduleResolution: "NodeNext",
    skipLibCheck: true,
    noEmit: true,
    lib: ["ES2023", "DOM"],
    types: [],
  },
  files: ["good.ts"],
};

const goodSource = `\
import {
  createEventForgeClient,
  createEventForgeLinks,
  getErrorReason,
  type ErrorReason,
  type EventForgeLink,
  type RouterOutputs,
} from "@eventforge/client";

const links: EventForgeLink[] = createEventForgeLinks({ url: "http://127.0.0.1:8001", token: () => undefined });
const client = createEventForgeClient({ links });

const session = await client.auth.login.mutate({ email: "ada@example.com", password: "correct horse" });
const accessToken: string = session.access_token;
const role: "customer" | "admin" = session.user.role;

const r = await client.reservations.hold.mutate({ seat_id: 1, hold_minutes: 5 });
const status: "HELD" | "CONFIRMED" | "EXPIRED" | "CANCELLED" = r.status;
const when: Date = r.hold_expiry;
const held: RouterOutputs["reservations"]["hold"] = r;

const availability = await client.availability.get.query({ show_id: 1 });
const asOf: Date = availability.as_of;
const seatStatus: "AVAILABLE" | "HELD" | "CONFIRMED" | undefined = availability.seats[0]?.status;

// Live: the snapshot's last_event_id resumes the feed with no gap; each message is tracked by id.
const watching = client.availability.watch.subscribe(
  { show_id: 1, lastEventId: availability.last_event_id },
  {
    onData({ id, data }) {
      const eventId: string = id;
      const seat: string = data.seat_number;
      const now: "AVAILABLE" | "HELD" | "CONFIRMED" = data.status;
      const until: Date | null = data.hold_expiry;
      console.log(eventId, seat, now, until, data.event_id + 1);
    },
    onError(error) {
      const failure: ErrorReason | undefined = getErrorReason(error);
      console.log(failure);
    },
  },
);
watching.unsubscribe();

const reason: ErrorReason = "SEAT_TAKEN";
try {
  await client.reservations.confirm.mutate({ reservation_id: held.id });
} catch (error) {
  const failure: ErrorReason | undefined = getErrorReason(error);
  if (failure === "HOLD_EXPIRED") console.log("too late");
}

console.log(accessToken, role, status, when, asOf, seatStatus, reason);
`;

// Every line tagged `// @error` must get a diagnostic from tsc, and no other line may. Were the
// bundled types `any`, these lines would compile, so this is what proves the types are real.
const badSource = `\
import { createEventForgeClient, getErrorReason, type ErrorReason } from "@eventforge/client";

const client = createEventForgeClient({ url: "http://127.0.0.1:8001" });
const r = await client.reservations.hold.mutate({ seat_id: 1 });

await client.reservations.hold.mutate({ seat_id: "1" }); // @error wrong input type
await client.availability.get.query({}); // @error missing required input
await client.reservations.holdd.mutate({ seat_id: 1 }); // @error unknown procedure
await client.reservations.hold.query({ seat_id: 1 }); // @error mutation called as a query
const n: string = r.id; // @error output used as the wrong type
const reason: ErrorReason = "NOT_A_REASON"; // @error invalid reason literal
if (getErrorReason(null) === "NOPE") console.log(n, reason); // @error impossible reason comparison
client.availability.watch.subscribe({ show_id: 1 }, { onData: (m) => m.data.seat_id.toUpperCase() }); // @error change field used as the wrong type
`;

/**
 * How long one build, pack, install or tsc run may take before it counts as hung: generous,
 * because on a loaded 2-core machine a pnpm build took more than three minutes (not a speed bound).
 */
const HANG_GUARD_MS = 600_000;

interface RunResult {
  status: number | null;
  output: string;
}

function run(command: string, args: string[], cwd: string, env = process.env): RunResult {
  const result = spawnSync(command, args, { cwd, env, encoding: "utf8", timeout: HANG_GUARD_MS });
  if (result.error) throw result.error;
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

/** Like `run`, for setup steps that must succeed: fails with the command's output. */
function runOrThrow(command: string, args: string[], cwd: string, env = process.env): string {
  const { status, output } = run(command, args, cwd, env);
  if (status !== 0) throw new Error(`${command} ${args.join(" ")} exited with ${status}:\n${output}`);
  return output;
}

function typecheck(projectDir: string, tsconfigFile: string): RunResult {
  return run(process.execPath, [tsc, "-p", tsconfigFile, "--pretty", "false"], projectDir);
}

describe("the packed @eventforge/client, installed outside the workspace", () => {
  let tmpRoot = "";
  let projectDir = "";

  beforeAll(() => {
    tmpRoot = mkdtempSync(join(tmpdir(), "eventforge-packed-client-"));
    // Anywhere under the repo, Node and tsc would walk up into the workspace's node_modules.
    if (!relative(repoRoot, tmpRoot).startsWith("..")) {
      throw new Error(`temp dir ${tmpRoot} is inside the repo; set TMPDIR elsewhere`);
    }

    runOrThrow("pnpm", ["--filter", "@eventforge/client", "build"], repoRoot);
    const packed = JSON.parse(
      runOrThrow("pnpm", ["pack", "--json", "--pack-destination", tmpRoot], clientDir),
    ) as { filename: string; files: { path: string }[] };
    expect(packed.files.map((file) => file.path).sort()).toEqual([
      "dist/index.d.ts",
      "dist/index.js",
      "dist/transformer.js",
      "package.json",
    ]);

    projectDir = join(tmpRoot, "consumer");
    mkdirSync(projectDir);
    const packageJson = {
      name: "eventforge-client-consumer",
      private: true,
      type: "module",
      dependencies: { "@eventforge/client": `file:${packed.filename}` },
    };
    writeFileSync(join(projectDir, "package.json"), `${JSON.stringify(packageJson, null, 2)}\n`);
    writeFileSync(join(projectDir, "tsconfig.json"), `${JSON.stringify(consumerTsconfig, null, 2)}\n`);
    writeFileSync(
      join(projectDir, "tsconfig.bad.json"),
      `${JSON.stringify({ extends: "./tsconfig.json", files: ["bad.ts"] }, null, 2)}\n`,
    );
    writeFileSync(join(projectDir, "good.ts"), goodSource);
    writeFileSync(join(projectDir, "bad.ts"), badSource);

    // pnpm puts its settings in npm_config_* variables, which npm would read as its own config.
    const npmEnv = Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^npm_/iu.test(name)));
    // --omit=peer: @trpc/client's peer dependency would otherwise pull the latest TypeScript.
    runOrThrow("npm", ["install", "--no-audit", "--no-fund", "--omit=peer"], projectDir, npmEnv);
  }, 3 * HANG_GUARD_MS);

  afterAll(() => {
    if (tmpRoot) rmSync(tmpRoot, { recursive: true, force: true });
  });

  it(
    "type-checks correct usage with precise input and output types",
    () => {
      const { status, output } = typecheck(projectDir, "tsconfig.json");
      expect(output).toBe("");
      expect(status).toBe(0);
    },
    HANG_GUARD_MS,
  );

  it(
    "rejects each misuse on its own line, and nothing else",
    () => {
      const expected = taggedLines(badSource);
      expect(expected).toHaveLength(8);

      const { status, output } = typecheck(projectDir, "tsconfig.bad.json");
      expect(status).not.toBe(0);
      expect(errorLines(output, "bad.ts"), output).toEqual(expected);
    },
    HANG_GUARD_MS,
  );

  it(
    "loads at runtime through the package's exports",
    () => {
      // Only module loading and client construction: no request is sent, so no server is needed.
      const script = `
      import { createEventForgeClient, createEventForgeLinks, getErrorReason, transformer } from "@eventforge/client";
      const links = createEventForgeLinks({ url: "http://127.0.0.1:1" });
      const client = createEventForgeClient({ links });
      const date = transformer.deserialize(JSON.parse(JSON.stringify(transformer.serialize(new Date(0)))));
      console.log(typeof client.reservations.hold.mutate, links.length, date.toISOString(), getErrorReason(new Error("offline")));
    `;
      const output = runOrThrow(process.execPath, ["--input-type=module", "--eval", script], projectDir);
      expect(output.trim()).toBe("function 1 1970-01-01T00:00:00.000Z undefined");
    },
    HANG_GUARD_MS,
  );

  it(
    "carries the api's limits and the label spelling in its own JavaScript",
    () => {
      const script = `
      import * as client from "@eventforge/client";
      const { DEFAULT_MAX_BATCH, HOLD_MINUTES, MAX_ID, MAX_SEATS_PER_HOLD, MAX_SEATS_PER_REQUEST } = client;
      const spelled = client.spellSeatLabel("  row  a 5 ");
      console.log(JSON.stringify({ DEFAULT_MAX_BATCH, HOLD_MINUTES, MAX_ID, MAX_SEATS_PER_HOLD, MAX_SEATS_PER_REQUEST, spelled }));
    `;
      const output = runOrThrow(process.execPath, ["--input-type=module", "--eval", script], projectDir);
      const { spellSeatLabel, ...constants } = limits;
      expect(JSON.parse(output)).toEqual({ ...constants, spelled: spellSeatLabel("  row  a 5 ") });
      expect(spellSeatLabel("  row  a 5 ")).toBe("ROW A 5");
    },
    HANG_GUARD_MS,
  );
});
