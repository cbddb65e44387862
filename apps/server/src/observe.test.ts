// docs/design.md, Running: Health: /metrics (Prometheus text, labelled by procedure or route,
// optional bearer token) and the request log (one line per request with its id, kept or made,
// echoed).

import { Writable } from "node:stream";
import { issueAccessToken } from "@eventforge/domain";
import { seedShow, seedUser } from "@eventforge/domain/testing";
import parsePrometheusTextFormat, { type MetricFamily } from "parse-prometheus-text-format";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { startEventForge } from "./app.js";
import { loadConfig } from "./config.js";
import { startTestServer, TEST_JWT_SECRET, type TestServer } from "./test-server.js";

const METRICS_TOKEN = "metrics-token-for-the-test-0123";

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ EVENTFORGE_METRICS_TOKEN: METRICS_TOKEN });
});
afterAll(async () => {
  await server?.stop();
});

async function scrapeText(url: string, token?: string): Promise<string> {
  const response = await fetch(`${url}/metrics`, {
    headers: token ? { authorization: `Bearer ${token}` } : {},
  });
  expect(response.status).toBe(200);
  expect(response.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/u);
  return response.text();
}

async function scrape(url: string, token?: string): Promise<MetricFamily[]> {
  return parsePrometheusTextFormat(await scrapeText(url, token));
}

/**
 * The parser folds a histogram with labels into one sample, so a histogram's `_count` series is
 * parsed on its own, as the counter it is.
 */
function histogramCounts(text: string, name: string): MetricFamily {
  const series = text.split("\n").filter((line) => line.startsWith(`${name}_count{`));
  return family(
    parsePrometheusTextFormat([`# TYPE ${name}_count counter`, ...series, ""].join("\n")),
    `${name}_count`,
  );
}

function family(families: MetricFamily[], name: string): MetricFamily {
  const found = families.find((f) => f.name === name);
  if (!found) throw new Error(`no metric ${name} in /metrics`);
  return found;
}

const sample = (f: MetricFamily, labels: Record<string, string>) =>
  f.metrics.find((m) => Object.entries(labels).every(([k, v]) => m.labels?.[k] === v));
const counterValue = (f: MetricFamily, labels: Record<string, string>) =>
  Number(sample(f, labels)?.value ?? 0);

async function hold(token: string, seatId: number) {
  const response = await fetch(`${server.url}/trpc/reservations.hold`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
    body: JSON.stringify({ json: { seat_id: seatId } }),
  });
  await response.text();
  return response.status;
}

describe("/metrics", () => {
  it("needs the bearer token when EVENTFORGE_METRICS_TOKEN is set", async () => {
    for (const authorization of [undefined, "Bearer wrong-token-of-some-length", `Basic ${METRICS_TOKEN}`]) {
      const response = await fetch(`${server.url}/metrics`, {
        headers: authorization ? { authorization } : {},
      });
      expect(response.status).toBe(401);
      expect(response.headers.get("www-authenticate")).toMatch(/^Bearer/u);
      expect(await response.text()).not.toContain("eventforge_");
    }
    await scrape(server.url, METRICS_TOKEN);
  });

  it("is open when no token is set", async () => {
    const open = await startTestServer({}, server.t);
    try {
      const names = (await scrape(open.url)).map((f) => f.name);
      expect(names).toContain("eventforge_holds_total");
    } finally {
      await open.stop();
    }
  });

  it("parses as Prometheus text with the design's metrics and the process defaults", async () => {
    const families = await scrape(server.url, METRICS_TOKEN);
    const types = Object.fromEntries(families.map((f) => [f.name, f.type]));
    expect(types).toMatchObject({
      http_request_duration_seconds: "HISTOGRAM",
      eventforge_holds_total: "COUNTER",
      eventforge_expired_holds_total: "COUNTER",
      eventforge_live_watchers: "GAUGE",
      eventforge_db_pool_connections: "GAUGE",
      process_cpu_user_seconds_total: "COUNTER",
      process_resident_memory_bytes: "GAUGE",
      nodejs_eventloop_lag_seconds: "GAUGE",
    });
    const pool = family(families, "eventforge_db_pool_connections");
    expect(pool.metrics.map((m) => m.labels?.state).sort()).toEqual(["busy", "idle", "waiting"]);
  });

  it("counts holds by outcome and requests by procedure and route, never by raw URL", async () => {
    const db = server.t.db;
    const { show, seats } = await seedShow(db, ["M1"]);
    const seat = seats[0];
    if (!seat) throw new Error("no seat");
    const signer = { secret: new TextEncoder().encode(TEST_JWT_SECRET), ttlSeconds: 600 };
    const tokenOf = async () => {
      const user = await seedUser(db);
      return (await issueAccessToken(signer, { userId: user.id, role: "customer" })).access_token;
    };
    const beforeText = await scrapeText(server.url, METRICS_TOKEN);
    const before = parsePrometheusTextFormat(beforeText);

    expect(await hold(await tokenOf(), seat.id)).toBe(200);
    expect(await hold(await tokenOf(), seat.id)).toBe(409);
    const seatList = await fetch(`${server.url}/shows/${show.id}/seats`);
    await seatList.text();
    expect(seatList.status).toBe(200);
    const nowhere = await fetch(`${server.url}/no/such/path/${show.id}`);
    await nowhere.text();
    expect(nowhere.status).toBe(404);

    const afterText = await scrapeText(server.url, METRICS_TOKEN);
    const after = parsePrometheusTextFormat(afterText);
    const holds = (f: MetricFamily[], outcome: string) =>
      counterValue(family(f, "eventforge_holds_total"), { outcome });
    expect(holds(after, "held") - holds(before, "held")).toBe(1);
    expect(holds(after, "SEAT_TAKEN") - holds(before, "SEAT_TAKEN")).toBe(1);

    const requests = (text: string, labels: Record<string, string>) =>
      counterValue(histogramCounts(text, "http_request_duration_seconds"), labels);
    const moved = (labels: Record<string, string>) =>
      requests(afterText, labels) - requests(beforeText, labels);
    expect(moved({ route: "reservations.hold", method: "POST", status: "200" })).toBe(1);
    expect(moved({ route: "reservations.hold", method: "POST", status: "409" })).toBe(1);
    expect(moved({ route: "/shows/{show_id}/seats", method: "GET", status: "200" })).toBe(1);
    expect(moved({ route: "unmatched", method: "GET", status: "404" })).toBe(1);
    const routes = histogramCounts(afterText, "http_request_duration_seconds").metrics.map(
      (m) => m.labels?.route ?? "",
    );
    expect(routes).toContain("/shows/{show_id}/seats");
    expect(routes.filter((route) => route.includes(String(show.id)))).toEqual([]);
  });
});

describe("request ids and the request log", () => {
  it("keeps a sane incoming X-Request-Id, else makes one, echoes it and logs the request once", async () => {
    const lines: Array<Record<string, unknown>> = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        for (const line of chunk.toString("utf8").split("\n").filter(Boolean)) lines.push(JSON.parse(line));
        done();
      },
    });
    const config = loadConfig({
      DATABASE_URL: server.t.url,
      PORT: "0",
      EVENTFORGE_JWT_SECRET: TEST_JWT_SECRET,
      EVENTFORGE_SWEEP_INTERVAL_MS: "0",
      EVENTFORGE_ADMIN_EMAIL: "log-admin@example.com",
      EVENTFORGE_ADMIN_PASSWORD: "log admin password",
    });
    const app = await startEventForge(config, pino({ level: "info" }, sink));
    try {
      const kept = await fetch(`${app.url}/healthz`, { headers: { "x-request-id": "edge-42.a:b" } });
      await kept.text();
      expect(kept.headers.get("x-request-id")).toBe("edge-42.a:b");
      const made = await fetch(`${app.url}/trpc/shows.list`);
      await made.text();
      const madeId = made.headers.get("x-request-id") ?? "";
      expect(madeId).toMatch(/^[0-9a-f-]{36}$/u);
      const replaced = await fetch(`${app.url}/readyz`, { headers: { "x-request-id": "no spaces allowed" } });
      expect(replaced.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/u);

      const requestLines = () => lines.filter((line) => line.msg === "request completed");
      const byId = (id: string) => requestLines().filter((line) => line.reqId === id);
      // A line is written once its response has gone out, which the client may see first.
      // (Lines go out in chunks, at the latest every 200 ms.)
      await vi.waitFor(() => expect(byId(madeId)).toHaveLength(1), { timeout: 15_000 });
      expect(byId("edge-42.a:b")).toHaveLength(1);
      expect(byId("edge-42.a:b")[0]).toMatchObject({
        route: "/healthz",
        req: { method: "GET", url: "/healthz" },
        res: { statusCode: 200 },
        responseTime: expect.any(Number),
      });
      expect(byId(madeId)[0]).toMatchObject({ route: "shows.list", res: { statusCode: 200 } });
      // Headers are never logged (an Authorization header would be a credential in the log).
      expect(JSON.stringify(requestLines())).not.toContain("headers");
    } finally {
      await app.stop();
    }
  });
});
