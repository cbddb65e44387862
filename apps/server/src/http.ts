import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import {
  appRouter,
  type ContextDeps,
  createContextFactory,
  createOpenApiDocument,
  domainErrorToTRPCError,
  responseHeadersOf,
} from "@eventforge/api";
import { pingDatabase } from "@eventforge/db";
import { BatchTooLargeError, InvalidInputError } from "@eventforge/domain";
import type { TRPCError } from "@trpc/server";
import { createHTTPHandler } from "@trpc/server/adapters/standalone";
import type { Logger } from "pino";
import { AVAILABILITY_EVENTS_PATH, serveAvailabilityEvents } from "./availability-events.js";
import { serveBoxOffice } from "./box-office.js";
import { clientAddressOf } from "./client-address.js";
import { serveDocs } from "./docs.js";
import { type Metrics, serveMetrics } from "./metrics.js";
import { createRequestObserver, createRouteNamer } from "./request-log.js";
import { createRestHandler, type ResponseHeaders } from "./rest.js";

/** Requests larger than this are refused before their body is parsed. */
const MAX_BODY_BYTES = 1_048_576;

/**
 * docs/design.md, Abuse limits: a client has this long to send its headers, and this long for the
 * whole request.
 */
const HEADERS_TIMEOUT_MS = 10_000;
const REQUEST_TIMEOUT_MS = 30_000;
/** /readyz: the database must answer within this. */
const READY_DATABASE_TIMEOUT_MS = 1_000;

export interface HttpServer {
  /** `http://host:port`, with the port actually bound (PORT=0 picks a free one). */
  url: string;
  /**
   * The first steps of a shutdown: /readyz answers 503, the port stops accepting connections, idle
   * kept-alive connections close, and every response from now on (in flight or on a kept-alive
   * connection) carries `Connection: close`.
   */
  stopAccepting(): void;
  /**
   * Waits for requests in flight to finish; at `deadline` (epoch ms) closes whatever is left.
   * Resolves once every connection is closed, with how many had to be closed by force.
   */
  drain(deadline: number): Promise<{ forced: number }>;
}

export interface HttpServerOptions extends ContextDeps {
  host: string;
  port: number;
  logger: Logger;
  /** Calls one tRPC request may carry (EVENTFORGE_MAX_BATCH). */
  maxBatch: number;
  /** Proxy hops whose X-Forwarded-For is trusted (EVENTFORGE_TRUST_PROXY). */
  trustProxyHops: number;
  metrics: Metrics;
  /** EVENTFORGE_METRICS_TOKEN: set, /metrics needs it as a bearer token. */
  metricsToken: string | undefined;
}

/**
 * One server, every surface: tRPC at /trpc (the typed client), /healthz and /readyz, the OpenAPI
 * document at /openapi.json, its interactive reference at /docs, the box office at / (its pages
 * and /assets/), and the REST routes at every other path.
 */
export async function startHttpServer(options: HttpServerOptions): Promise<HttpServer> {
  const contextOf = createContextFactory({
    db: options.db,
    tokens: options.tokens,
    rateLimits: options.rateLimits,
    maxHoldsPerShow: options.maxHoldsPerShow,
    idempotencyTtlHours: options.idempotencyTtlHours,
    live: options.live,
    ...(options.onHoldOutcome ? { onHoldOutcome: options.onHoldOutcome } : {}),
  });
  const requestFacts = (req: IncomingMessage, res: ResponseHeaders) => ({
    authorization: req.headers.authorization,
    clientAddress: clientAddressOf(req, options.trustProxyHops),
    // Set by the request observer: the incoming X-Request-Id or a new one.
    requestId: String(req.id),
    idempotencyKey: idempotencyKeyOf(req),
    setResponseHeader: (name: string, value: string) => {
      if (!res.headersSent) res.setHeader(name, value);
    },
  });
  const onError = ({
    error,
    path,
    req,
  }: {
    error: TRPCError;
    path?: string | undefined;
    req: IncomingMessage;
  }) => {
    if (error.code === "INTERNAL_SERVER_ERROR") {
      options.logger.error({ err: error.cause ?? error, path, reqId: req.id }, "unexpected error");
    }
  };

  const trpc = createHTTPHandler({
    router: appRouter,
    basePath: "/trpc/",
    maxBodySize: MAX_BODY_BYTES,
    // Runs once per request, after the batch's paths are known and before any call runs or its
    // input is read: a batch that is too large fails whole (every call gets BATCH_TOO_LARGE).
    createContext: ({ req, res, info }) => {
      if (info.calls.length > options.maxBatch) {
        throw domainErrorToTRPCError(new BatchTooLargeError(info.calls.length, options.maxBatch));
      }
      // A key names one attempt of one call; in a batch it could not say which (docs/design.md,
      // Idempotency keys).
      if (idempotencyKeyOf(req) !== undefined && info.calls.length > 1) {
        throw domainErrorToTRPCError(
          new InvalidInputError(
            "an Idempotency-Key applies to one call: send that call in a request of its own",
          ),
        );
      }
      return contextOf(requestFacts(req, res));
    },
    responseMeta: ({ errors }) => ({ headers: responseHeadersOf(errors) }),
    onError,
  });

  // Server URLs in the document are relative, so "try it out" calls whichever address served it.
  const document = createOpenApiDocument("/");
  const openApiJson = JSON.stringify(document);
  const rest = createRestHandler({
    maxBodySize: MAX_BODY_BYTES,
    createContext: ({ req, res }) => contextOf(requestFacts(req, res)),
    onError,
    document,
  });
  const observe = createRequestObserver({
    logger: options.logger,
    metrics: options.metrics,
    routeOf: createRouteNamer(Object.keys(appRouter._def.procedures), document.paths ?? {}),
  });

  let shuttingDown = false;
  const inFlight = new Set<ServerResponse>();

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? "/").split("?")[0] ?? "/";
    if (path.startsWith("/trpc/")) {
      trpc(req, res);
      return;
    }
    if (req.method === "GET" || req.method === "HEAD") {
      if (path === "/healthz") {
        sendJson(res, 200, { ok: true });
        return;
      }
      if (path === "/readyz") {
        const reason = shuttingDown ? "shutting down" : await databaseProblem(options.db);
        sendJson(res, reason ? 503 : 200, reason ? { ready: false, reason } : { ready: true });
        return;
      }
      if (path === "/metrics") {
        await serveMetrics(options.metrics, options.metricsToken, req, res);
        return;
      }
      if (path === "/openapi.json") {
        res.setHeader("content-type", "application/json");
        res.end(openApiJson);
        return;
      }
      if ((path === "/docs" || path.startsWith("/docs/")) && (await serveDocs(path, res))) return;
      if (await serveBoxOffice(path, req.method, res)) return;
    }
    // Beside the trpc-to-openapi handler: it has no streams (the route is in its document).
    const events = req.method === "GET" ? AVAILABILITY_EVENTS_PATH.exec(path) : null;
    if (events?.[1] !== undefined) {
      await serveAvailabilityEvents(req, res, events[1], options.live, options.logger);
      return;
    }
    await rest(req, res);
  };
  const server = createServer(
    {
      headersTimeout: HEADERS_TIMEOUT_MS,
      requestTimeout: REQUEST_TIMEOUT_MS,
      // How often those two are checked (default 30 s, far coarser than they are).
      connectionsCheckingInterval: 1_000,
    },
    (req, res) => {
      observe(req, res);
      inFlight.add(res);
      res.once("close", () => inFlight.delete(res));
      if (shuttingDown) res.setHeader("connection", "close");
      handle(req, res).catch((error: unknown) => {
        options.logger.error({ err: error, url: req.url }, "unexpected error");
        if (!res.headersSent) res.statusCode = 500;
        res.end();
      });
    },
  );

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const host = options.host.includes(":") ? `[${options.host}]` : options.host;

  let closed: Promise<void> | undefined;
  return {
    url: `http://${host}:${port}`,
    stopAccepting() {
      if (shuttingDown) return;
      shuttingDown = true;
      for (const res of inFlight) if (!res.headersSent) res.setHeader("connection", "close");
      closed = new Promise((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
    },
    async drain(deadline) {
      if (!closed) throw new Error("drain() before stopAccepting()");
      let forced = 0;
      const timer = setTimeout(
        () => {
          forced = inFlight.size;
          server.closeAllConnections();
        },
        Math.max(0, deadline - Date.now()),
      );
      await closed;
      clearTimeout(timer);
      return { forced };
    },
  };
}

function sendJson(res: ServerResponse, status: number, body: unknown) {
  res.statusCode = status;
  res.setHeader("content-type", "application/json");
  res.setHeader("cache-control", "no-store");
  res.end(JSON.stringify(body));
}

/** Why the database is not ready (it did not answer `SELECT 1` within a second), or null. */
async function databaseProblem(db: ContextDeps["db"]): Promise<string | null> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<string>((resolve) => {
    timer = setTimeout(() => resolve("database did not answer within 1 s"), READY_DATABASE_TIMEOUT_MS);
  });
  const ping = pingDatabase(db).then(
    () => null,
    () => "database unavailable",
  );
  try {
    return await Promise.race([ping, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** The Idempotency-Key header as sent (several are joined with ", ", which no key may contain). */
function idempotencyKeyOf(req: IncomingMessage): string | undefined {
  const key = req.headers["idempotency-key"];
  return Array.isArray(key) ? key.join(", ") : key;
}
