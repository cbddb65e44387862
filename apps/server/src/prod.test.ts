// docs/design.md, Running: Production, for real: `pnpm build`, then the compiled server as `pnpm
// start:prod` runs it (node apps/server/dist/main.js, NODE_ENV=production): it serves, nothing but
// node runs (no tsx, no esbuild), and SIGTERM ends it with exit code 0.

import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { createTestDatabase, type TestDatabase } from "@eventforge/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  buildForProduction,
  processesInGroup,
  REPOSITORY_DIR,
  type ServerProcess,
  servingUrl,
  spawnServer,
  waitFor,
} from "./process-harness.js";

const MAIN = join(REPOSITORY_DIR, "apps/server/dist/main.js");

let t: TestDatabase;
let server: ServerProcess;
let url: string;

beforeAll(async () => {
  // turbo's cache makes this quick when nothing changed; cold it compiles the server's packages.
  await buildForProduction();
  t = await createTestDatabase();
  server = spawnServer(process.execPath, [MAIN], REPOSITORY_DIR, {
    NODE_ENV: "production",
    DATABASE_URL: t.url,
    EVENTFORGE_JWT_SECRET: "production-test-secret-of-at-least-32-characters",
    EVENTFORGE_ADMIN_EMAIL: "prod@example.com",
    EVENTFORGE_ADMIN_PASSWORD: "prod admin password",
  });
  url = await servingUrl(server);
}, 600_000);
afterAll(async () => {
  server?.kill();
  await t?.drop();
});

async function commandLine(pid: number): Promise<string> {
  return (await readFile(`/proc/${pid}/cmdline`, "utf8").catch(() => "")).replaceAll("\0", " ").trim();
}

describe("the compiled production server (node apps/server/dist/main.js)", () => {
  it("serves health, tRPC and the OpenAPI document", async () => {
    expect(await (await fetch(`${url}/healthz`)).json()).toEqual({ ok: true });
    expect(await (await fetch(`${url}/readyz`)).json()).toEqual({ ready: true });
    const shows = await fetch(`${url}/trpc/shows.list`);
    expect(shows.status).toBe(200);
    const document = (await (await fetch(`${url}/openapi.json`)).json()) as { openapi: string };
    expect(document.openapi).toMatch(/^3\./u);
  });

  it("runs node alone: no tsx, no esbuild in its process tree", async () => {
    const pid = server.child.pid as number;
    const tree = await Promise.all((await processesInGroup(pid)).map(commandLine));
    expect(tree).toEqual([`${process.execPath} ${MAIN}`]);
    const status = await readFile(`/proc/${pid}/status`, "utf8");
    console.log(`compiled server RSS after start: ${status.match(/VmRSS:\s+(.+)/u)?.[1]}`);
  });

  it("exits with code 0 on SIGTERM", async () => {
    server.child.kill("SIGTERM");
    const exit = await waitFor("the server to exit", () => server.exit, 30_000);
    expect(exit).toEqual({ code: 0, signal: null });
    expect(server.logs.map((line) => line.msg)).toContain("stopped");
  });
});
