import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Logger } from "pino";
import { pinoHttp } from "pino-http";
import type { Metrics } from "./metrics.js";

/** Paths served outside tRPC and REST, each its own route. */
const FIXED_ROUTES = new Set(["/healthz", "/readyz", "/metrics", "/openapi.json"]);

/**
 * Names a request's route for logs and metrics, from a closed set so that a metric's labels stay
 * few whatever URLs arrive: a tRPC procedure (`reservations.hold`; several in one request:
 * `trpc batch`), a REST route template (`/reservations/{id}/confirm`), a fixed path, else `unmatched`.
 */
export function createRouteNamer(procedures: readonly string[], restPaths: Record<string, object>) {
  const known = new Set(procedures);
  const rest = Object.entries(restPaths).map(([template, operations]) => ({
    template,
    methods: new Set(Object.keys(operations).map((method) => method.toUpperCase())),
    pattern: new RegExp(`^${template.replace(/\{[^/}]+\}/gu, "[^/]+").replace(/\/$/u, "")}/?$`, "u"),
  }));
  return (method: string, url: string): string => {
    const path = url.split("?")[0] ?? "/";
    if (path.startsWith("/trpc/")) {
      const names = path.slice("/trpc/".length).split(",");
      if (names.length > 1) return "trpc batch";
      const name = names[0] ?? "";
      return known.has(name) ? name : "unmatched";
    }
    if (FIXED_ROUTES.has(path)) return path;
    if (path === "/docs" || path.startsWith("/docs/")) return "/docs";
    const verb = method === "HEAD" ? "GET" : method;
    return rest.find((r) => r.methods.has(verb) && r.pattern.test(path))?.template ?? "unmatched";
  };
}

/** An incoming X-Request-Id, kept if it is a sane token. */
function incomingRequestId(req: IncomingMessage): string | undefined {
  const id = req.headers["x-request-id"];
  return typeof id === "string" && /^[\w.:-]{1,128}$/u.test(id) ? id : undefined;
}

/**
 * Every request: an id (the incoming X-Request-Id, else a new UUID) echoed in X-Request-Id and
 * set as `req.id`; one log line when it ends (request id, route, status, duration) through
 * pino-http; its duration in `http_request_duration_seconds`.
 */
export function createRequestObserver(options: {
  logger: Logger;
  metrics: Metrics;
  routeOf: (method: string, url: string) => string;
}) {
  const routes = new WeakMap<IncomingMessage, string>();
  const log = pinoHttp({
    logger: options.logger,
    genReqId: (req, res) => {
      const id = incomingRequestId(req) ?? randomUUID();
      res.setHeader("x-request-id", id);
      return id;
    },
    customProps: (req) => ({ reqId: req.id, route: routes.get(req) }),
    // The request's line, without its headers (an Authorization header must never be logged).
    serializers: {
      req: (req: { method: string; url: string }) => ({ method: req.method, url: req.url }),
      res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
    },
    customLogLevel: (_req, res, error) => (error || res.statusCode >= 500 ? "error" : "info"),
    customSuccessMessage: () => "request completed",
    customErrorMessage: () => "request failed",
  });
  return (req: IncomingMessage, res: ServerResponse) => {
    const route = options.routeOf(req.method ?? "GET", req.url ?? "/");
    routes.set(req, route);
    const end = options.metrics.httpRequestDuration.startTimer({ method: req.method ?? "GET", route });
    // Timed to the last byte handed to the socket; a response cut off before it counts as aborted.
    res.once("finish", () => end({ status: String(res.statusCode) }));
    res.once("close", () => {
      if (!res.writableFinished) end({ status: "aborted" });
    });
    log(req, res);
  };
}
