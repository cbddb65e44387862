import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Logger } from "pino";
import type { Metrics } from "./metrics.js";

declare module "node:http" {
  interface IncomingMessage {
    /** The request's id, set by the request observer (see createRequestObserver). */
    id: string;
  }
}

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
 * set as `req.id`; one log line when it ends (request id, route, status, duration); its duration
 * in `http_request_duration_seconds`.
 *
 * The line is the one pino-http wrote for us before, field for field and in the same order:
 * `{level, time, req: {method, url}, reqId, route, res: {statusCode}, responseTime, msg}`, with
 * `err` and "request failed" at level error for a 5xx or a response that errored. pino-http made
 * two child loggers and ran the request and response through pino's full serializers (every header
 * included, then dropped) for every request: most of what logging cost per request.
 */
export function createRequestObserver(options: {
  logger: Logger;
  metrics: Metrics;
  routeOf: (method: string, url: string) => string;
}) {
  const { logger, metrics, routeOf } = options;
  return (req: IncomingMessage, res: ServerResponse) => {
    const started = Date.now();
    const id = incomingRequestId(req) ?? randomUUID();
    res.setHeader("x-request-id", id);
    req.id = id;
    // As the request arrived (the REST handler may rewrite req.url on its way).
    const request = { method: req.method, url: req.url };
    const method = req.method ?? "GET";
    const route = routeOf(method, req.url ?? "/");
    const end = metrics.httpRequestDuration.startTimer({ method, route });
    let logged = false;
    const log = (error?: Error) => {
      if (logged) return;
      logged = true;
      // pino's response serializer: no status before the headers went out.
      const status = { statusCode: res.headersSent ? res.statusCode : null };
      const responseTime = Date.now() - started;
      if (error || res.statusCode >= 500) {
        const err = error ?? new Error(`failed with status code ${res.statusCode}`);
        logger.error({ req: request, reqId: id, route, res: status, err, responseTime }, "request failed");
      } else {
        logger.info({ req: request, reqId: id, route, res: status, responseTime }, "request completed");
      }
    };
    // Timed to the last byte handed to the socket; a response cut off before it counts as aborted.
    res.once("finish", () => {
      end({ status: String(res.statusCode) });
      log();
    });
    res.once("close", () => {
      if (!res.writableFinished) end({ status: "aborted" });
      log();
    });
    res.once("error", log);
  };
}
