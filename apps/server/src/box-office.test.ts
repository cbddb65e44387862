// The box office (apps/web) as the server serves it, in Debian's headless chromium through
// playwright-core: one browser, two signed-in fans on one show. Screenshots go to
// test-artifacts/ at the repository root. Measured figures are printed, not asserted, except the
// contract's 2 s for a change to reach another fan (with slack for a loaded machine).
import { mkdir, readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { createEventForgeClient, type EventForgeClient } from "@eventforge/client";
import { sql } from "kysely";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildForProduction, REPOSITORY_DIR } from "./process-harness.js";
import { ARTIFACTS, haveBrowser, launchChromium, statusOfRawPath } from "./test-browser.js";
import { startTestServer, TEST_ADMIN, type TestServer } from "./test-server.js";

const WEB_DIST = join(REPOSITORY_DIR, "apps/web/dist");
/**
 * docs/design.md, Live availability and Box office: a change reaches every fan looking at the map
 * within this.
 */
const LIVE_BOUND_MS = 2_000;
/** Slack for a loaded machine on a single observation; the median must keep the bound. */
const SLACK_MS = 3_000;

const browserRuns = haveBrowser("the box office browser tests");

let server: TestServer;
let admin: EventForgeClient;
let showId: number;
const fans = [
  { name: "Ada Fan", email: "ada.fan@example.com", password: "ada password 1" },
  { name: "Bo Fan", email: "bo.fan@example.com", password: "bo password 1" },
] as const;

beforeAll(async () => {
  // What `pnpm start` does first: build the app (or take it from turbo's cache).
  await buildForProduction();
  server = await startTestServer({ EVENTFORGE_SWEEP_INTERVAL_MS: "500" });
  const anonymous = createEventForgeClient({ url: server.url });
  const { access_token } = await anonymous.auth.login.mutate(TEST_ADMIN);
  admin = createEventForgeClient({ url: server.url, token: access_token });
  for (const fan of fans) {
    await anonymous.users.create.mutate({ ...fan, phone_number: "+44 20 7946 0000" });
  }
  const show = await admin.shows.create.mutate({
    title: "The Tempest",
    venue: "Globe",
    starts_at: new Date(Date.now() + 86_400_000),
  });
  showId = show.id;
  const labels = ["A", "B", "C", "D"].flatMap((row) =>
    Array.from({ length: 20 }, (_, i) => `${row}${i + 1}`),
  );
  await admin.seats.add.mutate({ show_id: showId, seat_numbers: labels });
}, 240_000);
afterAll(async () => {
  await server?.stop();
});

describe("the box office, served at /", () => {
  it("serves index.html for the app's routes, hashed assets as immutable, a same-origin CSP", async () => {
    for (const path of ["/", `/show/${showId}`, "/sign-in", "/sign-up", "/my-reservations", "/admin"]) {
      const page = await fetch(`${server.url}${path}`);
      expect(page.status, path).toBe(200);
      expect(page.headers.get("content-type")).toMatch(/^text\/html/u);
      expect(page.headers.get("cache-control")).toBe("no-cache");
      const csp = page.headers.get("content-security-policy") ?? "";
      expect(csp).toContain("default-src 'self'");
      expect(csp).toContain("connect-src 'self'");
      expect(csp).not.toContain("unsafe-inline");
      const html = await page.text();
      expect(html).toContain('<meta name="viewport" content="width=device-width, initial-scale=1" />');
      const assets = [...html.matchAll(/(?:src|href)="(\/assets\/[^"]+)"/gu)].map((match) => match[1] ?? "");
      expect(assets.length).toBe(2);
      for (const asset of assets) {
        const file = await fetch(`${server.url}${asset}`);
        expect(file.status).toBe(200);
        expect(file.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
      }
    }
    // The other surfaces keep their paths.
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    expect((await fetch(`${server.url}/openapi.json`)).headers.get("content-type")).toBe("application/json");
    expect((await fetch(`${server.url}/docs`)).headers.get("content-security-policy")).toContain(
      "'unsafe-inline'",
    );
    const rest = await fetch(`${server.url}/shows/${showId}`);
    expect(rest.headers.get("content-type")).toMatch(/^application\/json/u);
    expect(((await rest.json()) as { title: string }).title).toBe("The Tempest");
    expect(
      (
        await fetch(
          `${server.url}/trpc/shows.get?input=${encodeURIComponent(JSON.stringify({ json: { show_id: showId } }))}`,
        )
      ).status,
    ).toBe(200);
    // Nothing else of the disk, and no unknown app path, is served.
    for (const path of [
      "/assets/../package.json",
      "/assets/%2e%2e/package.json",
      "/assets/nope.js",
      "/show/x",
      "/index.html",
    ]) {
      expect(await statusOfRawPath(server.url, path), path).toBe(404);
    }
  });

  it("bundles the client and none of the server's code", async () => {
    const files = await readdir(join(WEB_DIST, "assets"));
    const scripts = files.filter((name) => name.endsWith(".js"));
    expect(scripts.length).toBeGreaterThan(0);
    const bundle = (
      await Promise.all(scripts.map((name) => readFile(join(WEB_DIST, "assets", name), "utf8")))
    ).join("\n");
    // The app calls procedures through the typed client...
    expect(bundle).toContain("holdMany");
    expect(bundle).toContain("/trpc");
    // ...and carries nothing of the api, domain or db packages, nor of node.
    for (const serverOnly of [
      "reservation_events",
      "unique_active_reservation_per_seat",
      "statement_timestamp",
      "pg_notify",
      "kysely",
      "createHTTPHandler",
      "initTRPC",
      "scrypt",
      "argon2",
      "jose",
      "pino",
      "node:",
      "process.env",
      "invalid seat label",
    ]) {
      expect(bundle, serverOnly).not.toContain(serverOnly);
    }
    const { gzipSync } = await import("node:zlib");
    console.log(
      `box office bundle: ${scripts.map((name) => `${name} ${gzipSync(Buffer.from(bundle)).length} B gzip`).join(", ")}`,
    );
  });
});

describe.skipIf(!browserRuns)("the box office in headless chromium", () => {
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  let ada: Page;
  let bo: Page;
  const foreignRequests: string[] = [];
  const consoleErrors: string[] = [];

  async function openFan(index: number): Promise<Page> {
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    contexts.push(context);
    const page = await context.newPage();
    page.on("request", (request) => {
      if (!request.url().startsWith(`${server.url}/`)) foreignRequests.push(request.url());
    });
    page.on("console", (message) => {
      if (message.type() === "error") consoleErrors.push(`${index}: ${message.text()}`);
    });
    page.on("pageerror", (error) => consoleErrors.push(`${index}: ${error.message}`));
    return page;
  }

  async function signIn(page: Page, fan: { email: string; password: string }, next: string) {
    await page.goto(`${server.url}/sign-in?next=${encodeURIComponent(next)}`);
    await page.locator('input[name="email"]').fill(fan.email);
    await page.locator('input[name="password"]').fill(fan.password);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL(`${server.url}${next}`);
  }

  const seat = (page: Page, label: string) => page.locator(`[data-seat="${label}"]`);

  /**
   * Starts watching `label` in `page`; the function returned waits until it shows `status` and
   * gives the moment (epoch ms, by the page's clock: this machine's) the attribute changed.
   * Scripts for the page are strings: this package is type-checked without the DOM's types.
   */
  async function watchFor(page: Page, label: string, status: string): Promise<() => Promise<number>> {
    const key = JSON.stringify(`${label}:${status}`);
    await page.evaluate(`{
      const element = document.querySelector(${JSON.stringify(`[data-seat="${label}"]`)});
      window.__seen = window.__seen || {};
      delete window.__seen[${key}];
      const observer = new MutationObserver(() => {
        if (element.dataset.status === ${JSON.stringify(status)}) {
          window.__seen[${key}] = Date.now();
          observer.disconnect();
        }
      });
      observer.observe(element, { attributes: true, attributeFilter: ["data-status"] });
    }`);
    return async () => {
      await seat(page, label)
        .and(page.locator(`[data-status="${status}"]`))
        .waitFor({ timeout: LIVE_BOUND_MS + SLACK_MS });
      return (await page.evaluate(`window.__seen[${key}] ?? Number.NaN`)) as number;
    };
  }

  /** Ada holds `labels` with the Hold button; returns when she pressed it (epoch ms). */
  async function holdAsAda(labels: string[]): Promise<number> {
    for (const label of labels) await seat(ada, label).click();
    const answer = ada.waitForResponse((response) => response.url().includes("reservations.holdMany"));
    const pressedAt = Date.now();
    await ada.getByRole("button", { name: "Hold" }).click();
    expect((await answer).status()).toBe(200);
    for (const label of labels)
      await expect.poll(() => seat(ada, label).getAttribute("data-status")).toBe("mine");
    return pressedAt;
  }

  beforeAll(async () => {
    browser = await launchChromium();
    ada = await openFan(0);
    bo = await openFan(1);
    await signIn(ada, fans[0], `/show/${showId}`);
    await signIn(bo, fans[1], `/show/${showId}`);
    await seat(ada, "D20").waitFor();
    await seat(bo, "D20").waitFor();
  }, 120_000);
  afterAll(async () => {
    for (const context of contexts) await context.close();
    await browser?.close();
  });

  it("draws the map in rows from the labels, every seat a named button", async () => {
    expect(await ada.locator("[data-seat]").count()).toBe(80);
    expect(await ada.locator('[data-status="available"]').count()).toBe(80);
    expect(await ada.getByRole("group", { name: "Row C" }).locator("[data-seat]").count()).toBe(20);
    await expect.poll(() => ada.getByRole("button", { name: "A12, available" }).count()).toBe(1);
  });

  it("selects seats by keyboard: arrows move, Space and Enter pick", async () => {
    await seat(ada, "A1").focus();
    await ada.keyboard.press("ArrowRight");
    await ada.keyboard.press("Space");
    await ada.keyboard.press("ArrowDown");
    await ada.keyboard.press("Enter");
    expect(await seat(ada, "A2").getAttribute("aria-pressed")).toBe("true");
    expect(await seat(ada, "B2").getAttribute("aria-pressed")).toBe("true");
    expect(await seat(ada, "A1").getAttribute("aria-pressed")).toBe("false");
    // The map is one tab stop: the focused seat, and nothing else of it.
    expect(await ada.locator('[data-seat][tabindex="0"]').count()).toBe(1);
    await ada.keyboard.press("Enter"); // B2 again: unselects it
    await ada.keyboard.press("ArrowUp");
    await ada.keyboard.press("Space");
    expect(await ada.locator('[aria-pressed="true"]').count()).toBe(0);
  });

  it("a hold in one browser turns the seats held in the other, without reload; held seats cannot be taken", async () => {
    // Bo has picked A5; Ada holds A5 and A6 first.
    await seat(bo, "A5").click();
    expect(await seat(bo, "A5").getAttribute("aria-pressed")).toBe("true");
    const heldAtBo = await watchFor(bo, "A6", "held");
    const pressedAt = await holdAsAda(["A5", "A6"]);
    const paintedAt = await heldAtBo();
    console.log(`Hold pressed → paint in the other browser: ${paintedAt - pressedAt} ms`);
    expect(await seat(bo, "A5").getAttribute("data-status")).toBe("held");
    // Bo's pick is gone, and he is told in fan words.
    expect(await seat(bo, "A5").getAttribute("aria-pressed")).toBe("false");
    await expect.poll(() => bo.getByRole("alert").textContent()).toContain("Someone else just took A5");
    // Ada sees a countdown and the buttons of her hold.
    await expect
      .poll(() => ada.locator(".held").textContent())
      .toMatch(/Held for you: A5 and A6\. \d+:\d\d left/u);
    // A seat someone else holds cannot be picked.
    // (aria-disabled: playwright would wait for it to be enabled; a fan can click it all the same)
    await seat(bo, "A6").click({ force: true });
    expect(await seat(bo, "A6").getAttribute("aria-pressed")).toBe("false");
    expect(await bo.getByRole("button", { name: "Hold" }).isDisabled()).toBe(true);
    await expect.poll(() => bo.getByRole("alert").textContent()).toContain("A6 is held by someone else");
  });

  it("confirm turns them confirmed for the other fan and bought for the buyer", async () => {
    // After the step above Ada holds A5 and A6; run alone, this step makes that hold itself.
    if ((await seat(ada, "A5").getAttribute("data-status")) !== "mine") await holdAsAda(["A5", "A6"]);
    await seat(bo, "A6")
      .and(bo.locator('[data-status="held"]'))
      .waitFor({ timeout: LIVE_BOUND_MS + SLACK_MS });
    const confirmedAtBo = await watchFor(bo, "A6", "confirmed");
    await ada.getByRole("button", { name: "Confirm" }).click();
    await confirmedAtBo();
    expect(await seat(bo, "A5").getAttribute("data-status")).toBe("confirmed");
    expect(await seat(ada, "A5").getAttribute("data-status")).toBe("mine");
    await expect.poll(() => ada.getByRole("status").textContent()).toContain("You bought A5 and A6");
  });

  it("release returns the seats available to the other fan", async () => {
    await holdAsAda(["B7", "B8"]);
    await seat(bo, "B8")
      .and(bo.locator('[data-status="held"]'))
      .waitFor({ timeout: LIVE_BOUND_MS + SLACK_MS });
    // The two releases are two calls, each its own transaction and change: each seat is awaited.
    const availableAtBo = [await watchFor(bo, "B7", "available"), await watchFor(bo, "B8", "available")];
    await ada.getByRole("button", { name: "Release" }).click();
    for (const available of availableAtBo) await available();
    for (const label of ["B7", "B8"]) {
      await seat(ada, label)
        .and(ada.locator('[data-status="available"]'))
        .waitFor({ timeout: LIVE_BOUND_MS + SLACK_MS });
    }
  });

  it("a hold that lapses while both look: the sweeper's expiry frees the seats, the holder is told", async () => {
    await holdAsAda(["C3"]);
    await seat(bo, "C3")
      .and(bo.locator('[data-status="held"]'))
      .waitFor({ timeout: LIVE_BOUND_MS + SLACK_MS });
    const availableAtBo = await watchFor(bo, "C3", "available");
    // Time travel: the hold lapses now (the check constraints want it after its creation).
    await sql`
      UPDATE reservations
      SET hold_expiry = statement_timestamp() - interval '1 second',
          created_at = statement_timestamp() - interval '2 seconds',
          updated_at = statement_timestamp() - interval '2 seconds'
      WHERE status = 'HELD'`.execute(server.t.db);
    await availableAtBo();
    await expect
      .poll(
        async () =>
          (
            await sql<{ status: string }>`
          SELECT r.status FROM reservations r JOIN seats s ON s.id = r.seat_id
          WHERE s.show_id = ${showId} AND s.seat_number = 'C3'`.execute(server.t.db)
          ).rows[0]?.status,
      )
      .toBe("EXPIRED");
    await expect.poll(() => ada.getByRole("alert").textContent()).toContain("ran out");
    expect(await seat(ada, "C3").getAttribute("data-status")).toBe("available");
    expect(await ada.getByRole("button", { name: "Confirm" }).isVisible()).toBe(false);
  });

  it(`measures hold → paint in the other browser over 20 holds (median within ${LIVE_BOUND_MS} ms)`, {
    timeout: 240_000,
  }, async () => {
    const latencies: number[] = [];
    for (let i = 1; i <= 20; i++) {
      const label = `D${i}`;
      const heldAtBo = await watchFor(bo, label, "held");
      const pressedAt = await holdAsAda([label]);
      latencies.push((await heldAtBo()) - pressedAt);
      await ada.getByRole("button", { name: "Release" }).click();
      await seat(ada, label).and(ada.locator('[data-status="available"]')).waitFor();
    }
    latencies.sort((a, b) => a - b);
    const median = ((latencies[9] ?? 0) + (latencies[10] ?? 0)) / 2;
    console.log(
      `Hold pressed → paint in the other browser, 20 holds: median ${median} ms, max ${latencies[19]} ms`,
    );
    expect(median).toBeLessThan(LIVE_BOUND_MS);
  });

  it("lists my reservations", async () => {
    // Ada's own reservations of a show of this test's own, made through the api, so that the list
    // does not depend on the steps above: two bought, one lapsed.
    const { email, password } = fans[0];
    const session = await createEventForgeClient({ url: server.url }).auth.login.mutate({ email, password });
    const asAda = createEventForgeClient({ url: server.url, token: session.access_token });
    const show = await admin.shows.create.mutate({
      title: "Twelfth Night",
      venue: "Globe",
      starts_at: new Date(Date.now() + 86_400_000),
    });
    const { seats } = await admin.seats.add.mutate({ show_id: show.id, seat_numbers: ["A1", "A2", "A3"] });
    const held = await asAda.reservations.holdMany.mutate({ seat_ids: seats.map((s) => s.id) });
    const ids = held.reservations.map((r) => r.id);
    await asAda.reservations.confirmMany.mutate({ reservation_ids: ids.slice(0, 2) });
    // The check constraints want a hold's expiry after its creation.
    await sql`
      UPDATE reservations
      SET hold_expiry = statement_timestamp() - interval '1 second',
          created_at = statement_timestamp() - interval '2 seconds',
          updated_at = statement_timestamp() - interval '2 seconds'
      WHERE id = ${ids[2] ?? 0}`.execute(server.t.db);

    await ada.getByRole("link", { name: "My reservations" }).click();
    const rows = ada.locator(ids.map((id) => `tr[data-reservation="${id}"]`).join(", "));
    await expect.poll(() => rows.count()).toBe(3);
    const bought = rows.and(ada.locator('[data-reservation-status="confirmed"]'));
    expect(await bought.count()).toBe(2);
    expect(await bought.first().textContent()).toContain("Twelfth Night");
    expect(await rows.and(ada.locator('[data-reservation-status="expired"]')).count()).toBe(1);
  });

  it("fits 390 px and 1440 px wide without sideways scrolling of the page", async () => {
    await mkdir(ARTIFACTS, { recursive: true });
    for (const width of [390, 1440]) {
      await bo.setViewportSize({ width, height: 900 });
      for (const [name, path] of [
        ["show", `/show/${showId}`],
        ["shows", "/"],
      ] as const) {
        await bo.goto(`${server.url}${path}`);
        await bo
          .locator(name === "show" ? '[data-seat="D20"]' : ".show a")
          .first()
          .waitFor();
        const overflow = (await bo.evaluate(
          "document.documentElement.scrollWidth - window.innerWidth",
        )) as number;
        expect(overflow, `${name} at ${width} px`).toBeLessThanOrEqual(0);
        await bo.screenshot({ path: join(ARTIFACTS, `box-office-${name}-${width}.png`), fullPage: true });
      }
    }
  });

  it("lets an admin create a show and add a grid of seats", async () => {
    await bo.getByRole("button", { name: "Sign out" }).click();
    await signIn(bo, TEST_ADMIN, "/admin");
    await bo.locator('input[name="title"]').fill("Hamlet");
    await bo.locator('input[name="venue"]').fill("Rose");
    expect(await bo.locator('input[name="starts_at"]').getAttribute("type")).toBe("datetime-local");
    await bo.locator('input[name="starts_at"]').fill("2099-06-01T19:30");
    await bo.getByRole("button", { name: "Create show" }).click();
    await expect.poll(() => bo.getByRole("status").textContent()).toContain("Created “Hamlet”");
    expect(await bo.locator('input[name="rows"]').getAttribute("placeholder")).toBe("A-Z");
    expect(await bo.locator('input[name="numbers"]').getAttribute("placeholder")).toBe("1-40");
    await bo.locator('input[name="rows"]').fill("A-C");
    await bo.locator('input[name="numbers"]').fill("1-5");
    await bo.getByRole("button", { name: "Add seats" }).click();
    await expect.poll(() => bo.getByRole("status").textContent()).toContain("Added 15 seats (A1 to C5)");
    const hamlet = (await admin.shows.list.query({ limit: 100 })).items.find(
      (show) => show.title === "Hamlet",
    );
    expect(hamlet?.starts_at.getUTCFullYear()).toBe(2099);
    await bo.goto(`${server.url}/show/${hamlet?.id}`);
    await seat(bo, "C5").waitFor();
    expect(await bo.locator("[data-seat]").count()).toBe(15);
    // Adding them again is refused in words staff understand, and nothing is added.
    await bo.goto(`${server.url}/admin`);
    await bo.locator('select[name="show_id"]').selectOption(String(hamlet?.id));
    await bo.locator('input[name="rows"]').fill("C");
    await bo.locator('input[name="numbers"]').fill("5-6");
    // The server answers 409: the browser logs that failed request as a console error by itself.
    const before = consoleErrors.length;
    await bo.getByRole("button", { name: "Add seats" }).click();
    await expect.poll(() => bo.getByRole("alert").textContent()).toContain("These seats exist already: C5");
    consoleErrors.splice(before);
    expect((await admin.seats.list.query({ show_id: hamlet?.id ?? 0 })).seats.length).toBe(15);
  });

  it("draws a 10,000-seat hall", async () => {
    const hall = await admin.shows.create.mutate({
      title: "Arena",
      venue: "Big hall",
      starts_at: new Date(Date.now() + 86_400_000),
    });
    const rows = Array.from(
      { length: 100 },
      (_, i) =>
        (i < 26 ? "" : String.fromCharCode(64 + Math.floor(i / 26))) + String.fromCharCode(65 + (i % 26)),
    );
    await admin.seats.add.mutate({
      show_id: hall.id,
      seat_numbers: rows.flatMap((row) => Array.from({ length: 100 }, (_, n) => `${row}${n + 1}`)),
    });
    await bo.setViewportSize({ width: 1440, height: 900 });
    await bo.goto(`${server.url}/show/${hall.id}`);
    await bo.waitForFunction(
      () => performance.getEntriesByName("eventforge:seat-map-painted").length > 0,
      undefined,
      {
        timeout: 30_000,
      },
    );
    // When the map was painted, and when its snapshot (the first availability.get) had arrived.
    const [paintedAt, snapshotAt] = (await bo.evaluate(`[
      performance.getEntriesByName("eventforge:seat-map-painted")[0].startTime,
      performance.getEntriesByType("resource")
        .filter((entry) => entry.name.includes("availability.get"))[0].responseEnd,
    ]`)) as [number, number];
    expect(await bo.locator("[data-seat]").count()).toBe(10_000);
    console.log(
      `10,000-seat map: first paint ${Math.round(paintedAt)} ms after navigation start, ` +
        `${Math.round(paintedAt - snapshotAt)} ms after its snapshot arrived`,
    );
    await bo.screenshot({ path: join(ARTIFACTS, "box-office-10000-seats.png") });
  });

  it("asked no other origin and logged no console error", () => {
    expect(foreignRequests).toEqual([]);
    expect(consoleErrors.join("\n")).toBe("");
  });
});
