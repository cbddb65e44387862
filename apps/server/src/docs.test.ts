// /docs in a real browser: Debian's headless chromium driven by playwright-core loads the page from
// the real server, authorizes with a bearer token and tries a call. It leaves a screenshot in
// test-artifacts/ at the repository root.
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ARTIFACTS, haveBrowser, launchChromium, statusOfRawPath } from "./test-browser.js";
import { startTestServer, TEST_ADMIN, type TestServer } from "./test-server.js";

const browserRuns = haveBrowser("the /docs browser test");

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server?.stop();
});

describe("GET /docs", () => {
  it("serves the reference page and its assets from this server", async () => {
    const page = await fetch(`${server.url}/docs`);
    expect(page.status).toBe(200);
    expect(page.headers.get("content-type")).toMatch(/^text\/html/u);
    expect(page.headers.get("content-security-policy")).toContain("default-src 'self'");
    const html = await page.text();
    const sources = [...html.matchAll(/(?:src|href)="([^"]+)"/gu)].map((match) => match[1] ?? "");
    expect(sources.length).toBeGreaterThan(2);
    for (const source of sources) {
      expect(source).toMatch(/^\/docs\//u);
      expect((await fetch(`${server.url}${source}`)).status).toBe(200);
    }
    // Sent as written: fetch would resolve the dots before the server saw them.
    for (const path of ["/docs/../package.json", "/docs/..%2fpackage.json", "/docs/%2e%2e/package.json"]) {
      expect(await statusOfRawPath(server.url, path)).toBe(404);
    }
    expect((await fetch(`${server.url}/docs/index.html`)).status).toBe(404);
  });
});

describe.skipIf(!browserRuns)("/docs in headless chromium", () => {
  let browser: Browser;

  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
  });

  it("renders, finds the hold operation, authorizes with a token and tries a call", async () => {
    const { access_token } = (await (
      await fetch(`${server.url}/auth/login`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(TEST_ADMIN),
      })
    ).json()) as { access_token: string };

    const page = await browser.newPage({ viewport: { width: 1280, height: 1600 } });
    const foreignRequests: string[] = [];
    page.on("request", (request) => {
      if (!request.url().startsWith(server.url) && !request.url().startsWith("data:")) {
        foreignRequests.push(request.url());
      }
    });
    const pageErrors: string[] = [];
    page.on("pageerror", (error) => pageErrors.push(error.message));

    await page.goto(`${server.url}/docs`);
    const hold = page.locator("#operations-reservations-reservations-hold");
    const holdPath = hold.locator(".opblock-summary-path");
    await holdPath.waitFor({ timeout: 20_000 });
    expect(await holdPath.getAttribute("data-path")).toBe("/reservations/{user_id}/hold");

    await page.locator(".auth-wrapper button.authorize").click();
    await page.locator(".modal-ux input").fill(access_token);
    await page.locator(".modal-ux .auth-btn-wrapper button.authorize").click();
    await page.locator(".modal-ux button.btn-done").click();

    const me = page.locator("#operations-auth-auth-me");
    await me.locator(".opblock-summary").click();
    await me.locator("button.execute").click();
    const response = me.locator(".live-responses-table .response");
    await response.waitFor({ timeout: 10_000 });
    expect((await response.locator(".response-col_status").textContent())?.trim()).toBe("200");
    expect(await response.locator(".response-col_description").textContent()).toContain(TEST_ADMIN.email);

    await hold.locator(".opblock-summary").click();
    const holdResponses = hold.locator(".responses-table").first();
    await holdResponses.waitFor();
    // The 409 row lists the hold's conflict reasons (from PROCEDURE_ERRORS), SEAT_TAKEN among them.
    const conflicts = /409([A-Z_, ]+?)Media/u
      .exec((await holdResponses.textContent()) ?? "")?.[1]
      ?.split(", ");
    expect(conflicts).toEqual(expect.arrayContaining(["SEAT_TAKEN", "SHOW_STARTED"]));

    await mkdir(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, "docs.png"), fullPage: true });
    expect(foreignRequests).toEqual([]);
    expect(pageErrors).toEqual([]);
  });
});
