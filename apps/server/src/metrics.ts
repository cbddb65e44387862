import { timingSafeEqual } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { type Database, poolConnections } from "@eventforge/db";
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";

/** One instance's metrics (docs/design.md, Running: Health), in a registry of its own. */
export interface Metrics {
  registry: Registry;
  /** By `route`: a tRPC procedure, a REST route template or a fixed path; never the raw URL. */
  httpRequestDuration: Histogram<"method" | "route" | "status">;
  /** Hold calls (single and multi-seat) by `outcome`: `held`, or the reason they failed. */
  holds: Counter<"outcome">;
  /** Holds the expiry sweeper marked EXPIRED. */
  expiredHolds: Counter;
  /** Open live-availability streams (tRPC and SSE), read from the live feed when scraped. */
  liveWatchers: Gauge;
}

/** `live`: the instance's live feed, whose watchers the gauge reports (none given: 0). */
export function createMetrics(db: Database, live?: { readonly watcherCount: number }): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  new Gauge({
    name: "eventforge_db_pool_connections",
    help: "Connections of the PostgreSQL pool by state (waiting: callers queued for a connection)",
    labelNames: ["state"],
    registers: [registry],
    collect() {
      for (const [state, count] of Object.entries(poolConnections(db))) this.set({ state }, count);
    },
  });
  return {
    registry,
    httpRequestDuration: new Histogram({
      name: "http_request_duration_seconds",
      help: "HTTP requests by route (tRPC procedure or REST route), method and status",
      labelNames: ["method", "route", "status"],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
    holds: new Counter({
      name: "eventforge_holds_total",
      help: "Hold calls by outcome: held, or the reason they failed",
      labelNames: ["outcome"],
      registers: [registry],
    }),
    expiredHolds: new Counter({
      name: "eventforge_expired_holds_total",
      help: "Holds the expiry sweeper marked EXPIRED",
      registers: [registry],
    }),
    liveWatchers: new Gauge({
      name: "eventforge_live_watchers",
      help: "Open live-availability streams",
      registers: [registry],
      collect() {
        this.set(live?.watcherCount ?? 0);
      },
    }),
  };
}

/**
 * GET /metrics in Prometheus' text format. With EVENTFORGE_METRICS_TOKEN set it needs
 * `Authorization: Bearer <token>` (401 otherwise); unset, it is open.
 */
export async function serveMetrics(
  metrics: Metrics,
  token: string | undefined,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  if (token !== undefined && !bearerMatches(req.headers.authorization, token)) {
    res.statusCode = 401;
    res.setHeader("www-authenticate", 'Bearer realm="metrics"');
    res.setHeader("content-type", "application/json");
    res.end(JSON.stringify({ error: "UNAUTHORIZED", message: "/metrics needs its bearer token" }));
    return;
  }
  const body = await metrics.registry.metrics();
  res.setHeader("content-type", metrics.registry.contentType);
  res.setHeader("cache-control", "no-store");
  res.end(body);
}

function bearerMatches(authorization: string | undefined, token: string): boolean {
  const presented = /^Bearer\s+(\S+)\s*$/iu.exec(authorization ?? "")?.[1];
  if (!presented) return false;
  const a = Buffer.from(presented);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}
