// For the browser tests (docs.test.ts, box-office.test.ts): Debian's headless chromium driven by
// playwright-core, where their screenshots go, and a GET that sends its path as written.
import { existsSync } from "node:fs";
import { request as httpRequest } from "node:http";
import { join } from "node:path";
import { type Browser, chromium } from "playwright-core";
import { REPOSITORY_DIR } from "./process-harness.js";

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

/** Where the browser tests leave their screenshots: test-artifacts/ at the repository root. */
export const ARTIFACTS = join(REPOSITORY_DIR, "test-artifacts");

/**
 * Whether the browser tests can run. Without chromium (a laptop without it) they are skipped with
 * a warning naming `what`; never in CI, where .ci/run installs it.
 */
export function haveBrowser(what: string): boolean {
  const have = existsSync(CHROMIUM) || Boolean(process.env.CI);
  if (!have) console.warn(`skipping ${what}: no chromium at ${CHROMIUM} (set CHROMIUM_PATH)`);
  return have;
}

/** Chromium with a new empty profile of its own (Playwright makes one per launch). */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    // As root in a sandboxed machine with no outside network: no sandbox, no background traffic.
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}

/** The status of a GET of `path` exactly as written (fetch would resolve its dots first). */
export function statusOfRawPath(serverUrl: string, path: string): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    const { hostname, port } = new URL(serverUrl);
    const request = httpRequest({ hostname, port, path }, (response) => {
      response.resume();
      resolve(response.statusCode ?? 0);
    });
    request.on("error", reject);
    request.end();
  });
}
