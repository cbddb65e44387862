// The document the server serves at /openapi.json, linted by Redocly CLI with its recommended
// rules: no error and no warning.

import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { promisify } from "node:util";
import { createOpenApiDocument } from "@eventforge/api";
import { expect, it } from "vitest";

const redocly = join(
  dirname(createRequire(import.meta.url).resolve("@redocly/cli/package.json")),
  "bin/cli.js",
);

it("passes `redocly lint` with the recommended rules, without a warning", async () => {
  const dir = await mkdtemp(join(tmpdir(), "eventforge-openapi-"));
  try {
    const file = join(dir, "openapi.json");
    // The server's own document (http.ts serves it with base URL "/").
    await writeFile(file, JSON.stringify(createOpenApiDocument("/")));
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [redocly, "lint", file, "--extends=recommended", "--format=json"],
      // No telemetry and no update check: the tests reach no network.
      { env: { ...process.env, REDOCLY_TELEMETRY: "off", REDOCLY_SUPPRESS_UPDATE_NOTICE: "true" } },
    ).catch((error: { stdout?: string }) => ({ stdout: error.stdout ?? String(error) }));
    const report = JSON.parse(stdout);
    // The figure for the closing note of issue 16.
    console.log(`redocly lint (recommended): ${JSON.stringify(report.totals)}`);
    expect(report.problems).toEqual([]);
    expect(report.totals).toMatchObject({ errors: 0, warnings: 0 });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
