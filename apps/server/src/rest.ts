import type { IncomingMessage, ServerResponse } from "node:http";
import {
  type Context,
  httpStatusOfTransportCode,
  MAX_INPUT_DEPTH,
  nestsDeeperThan,
  responseHeadersOf,
  restRouter,
  transportErrorBody,
} from "@eventforge/api";
import type { TRPCError } from "@trpc/server";
import { createOpenApiNodeHttpHandler, type OpenAPIObject } from "trpc-to-openapi";

/** What a context needs of a response: to set a header before the answer is sent. */
export interface ResponseHeaders {
  readonly headersSent: boolean;
  setHeader(name: string, value: string): unknown;
}

/**
 * The REST surface: the router's procedures at the paths of their `meta.openapi`, served by
 * trpc-to-openapi. Around it: JSON bodies are recognized whatever their charset, a body-less POST
 * needs no content type, and a path that exists answers a wrong method with 405.
 */
export function createRestHandler(adapter: {
  maxBodySize: number;
  createContext: (opts: { req: IncomingMessage; res: ResponseHeaders }) => Promise<Context>;
  onError: (opts: { error: TRPCError; path?: string | undefined; req: IncomingMessage }) => void;
  document: OpenAPIObject;
}) {
  const handler = createOpenApiNodeHttpHandler({
    router: restRouter,
    maxBodySize: adapter.maxBodySize,
    createContext: adapter.createContext,
    onError: ({ error, path, req }) => adapter.onError({ error, path, req }),
    responseMeta: ({ errors }) =>
      errors[0]
        ? { status: httpStatusOfTransportCode(errors[0].code), headers: responseHeadersOf(errors) }
        : {},
  });
  const routes = routeTable(adapter.document);

  return async (req: IncomingMessage, res: ServerResponse) => {
    normalizeContentType(req);
    if (req.method !== "GET" && req.method !== "HEAD" && req.headers["content-type"] === "application/json") {
      const read = await readJsonBody(req, adapter.maxBodySize);
      if ("refusal" in read) {
        sendError(res, read.refusal.code, read.refusal.message);
        return;
      }
      // The adapter takes a body that is already read as it is.
      (req as IncomingMessage & { body?: unknown }).body = read.body;
    }
    return handler(req, res, () => answerUnknownRoute(req, res, routes));
  };
}

/**
 * Reads and parses a JSON body here rather than in the adapter, so that a body nested deeper than
 * the API needs is a 400 before anything walks it recursively (the adapter's walk overflowed the
 * stack on 100,000 levels: a 500).
 */
async function readJsonBody(
  req: IncomingMessage,
  maxBytes: number,
): Promise<
  | { body: unknown }
  | { refusal: { code: "PAYLOAD_TOO_LARGE" | "PARSE_ERROR" | "BAD_REQUEST"; message: string } }
> {
  if (Number(req.headers["content-length"] ?? 0) > maxBytes) {
    req.resume();
    return { refusal: { code: "PAYLOAD_TOO_LARGE", message: "Request body too large" } };
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxBytes) {
      req.resume();
      return { refusal: { code: "PAYLOAD_TOO_LARGE", message: "Request body too large" } };
    }
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString("utf8");
  if (text.trim() === "") return { body: undefined };
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return { refusal: { code: "PARSE_ERROR", message: "Failed to parse request body" } };
  }
  if (nestsDeeperThan(body, MAX_INPUT_DEPTH)) {
    return {
      refusal: {
        code: "BAD_REQUEST",
        message: `invalid input: JSON nested deeper than ${MAX_INPUT_DEPTH} levels`,
      },
    };
  }
  return { body };
}

function sendError(res: ServerResponse, code: Parameters<typeof transportErrorBody>[0], message: string) {
  const { httpStatus, body } = transportErrorBody(code, message);
  res.statusCode = httpStatus;
  res.setHeader("content-type", "application/json");
  res.end(JSON.stringify(body));
}

/** The adapter parses a body only when its content type is exactly `application/json`. */
function normalizeContentType(req: IncomingMessage) {
  const contentType = req.headers["content-type"];
  if (contentType === undefined) {
    // A request without Content-Length or Transfer-Encoding has an empty body (RFC 9112 §6.3);
    // say so, so that `curl -X POST .../confirm` needs no headers beyond the token.
    if (req.headers["transfer-encoding"] === undefined && Number(req.headers["content-length"] ?? 0) === 0) {
      req.headers["content-type"] = "application/json";
      req.headers["content-length"] = "0";
    }
    return;
  }
  const mediaType = contentType.split(";")[0]?.trim().toLowerCase();
  if (mediaType === "application/json") req.headers["content-type"] = "application/json";
}

interface Route {
  pattern: RegExp;
  methods: string[];
}

function routeTable(document: OpenAPIObject): Route[] {
  return Object.entries(document.paths ?? {}).map(([path, operations]) => ({
    // Like the adapter: path parameters are single segments, case and a trailing slash do not matter.
    pattern: new RegExp(`^${path.replace(/\{[^}]+\}/g, "[^/]+")}/?$`, "i"),
    methods: Object.keys(operations).map((method) => method.toUpperCase()),
  }));
}

function answerUnknownRoute(req: IncomingMessage, res: ServerResponse, routes: Route[]) {
  const path = new URL(req.url ?? "/", "http://localhost").pathname;
  const methods = routes.filter((route) => route.pattern.test(path)).flatMap((route) => route.methods);
  if (methods.length > 0) res.setHeader("allow", methods.join(", "));
  const { httpStatus, body } =
    methods.length > 0
      ? transportErrorBody("METHOD_NOT_SUPPORTED", `${req.method} is not allowed here`)
      : transportErrorBody("NOT_FOUND", `no route ${req.method} ${path}`);
  res.statusCode = httpStatus;
  res.setHeader("content-type", "application/json");
  res.end(JSON.stringify(body));
}
