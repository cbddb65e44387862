import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import {
  appRouter,
  type ContextDeps,
  createHttpContextFactory,
  createOpenApiDocument,
} from "@eventforge/api";
import type { TRPCError } from "@trpc/server";
import { createHTTPHandler } from "@trpc/server/adapters/standalone";
import type { Logger } from "pino";
import { serveDocs } from "./docs.js";
import { createRestHandler } from "./rest.js";

/** Requests larger than this are refused before their body is parsed. */
const MAX_BODY_BYTES = 1_048_576;

export interface HttpServer {
  /** `http://host:port`, with the port actually bound (PORT=0 picks a free one). */
  url: string;
  close(): Promise<void>;
}

/**
 * One server, every surface: tRPC at /trpc (the typed client), /healthz, the OpenAPI document at
 * /openapi.json, its interactive reference at /docs, and the REST routes at every other path.
 */
export async function startHttpServer(
  deps: ContextDeps & { host: string; port: number; logger: Logger },
): Promise<HttpServer> {
  // Both adapters, tRPC and REST, share these.
  const adapter = {
    maxBodySize: MAX_BODY_BYTES,
    createContext: createHttpContextFactory({
      db: deps.db,
      tokens: deps.tokens,
      loginThrottle: deps.loginThrottle,
      maxHoldsPerShow: deps.maxHoldsPerShow,
    }),
    onError({ error, path }: { error: TRPCError; path?: string | undefined }) {
      if (error.code === "INTERNAL_SERVER_ERROR") {
        deps.logger.error({ err: error.cause ?? error, path }, "unexpected error");
      }
    },
  };
  const trpc = createHTTPHandler({ ...adapter, router: appRouter, basePath: "/trpc/" });

  // Server URLs in the document are relative, so "try it out" calls whichever address served it.
  const document = createOpenApiDocument("/");
  const openApiJson = JSON.stringify(document);
  const rest = createRestHandler({ ...adapter, document });

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? "/").split("?")[0] ?? "/";
    if (path.startsWith("/trpc/")) {
      trpc(req, res);
      return;
    }
    if (req.method === "GET" || req.method === "HEAD") {
      if (path === "/healthz") {
        res.setHeader("content-type", "application/json");
        res.end(JSON.stringify({ ok: true }));
        return;
      }
      if (path === "/openapi.json") {
        res.setHeader("content-type", "application/json");
        res.end(openApiJson);
        return;
      }
      if ((path === "/docs" || path.startsWith("/docs/")) && (await serveDocs(path, res))) return;
    }
    await rest(req, res);
  };
  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      deps.logger.error({ err: error, url: req.url }, "unexpected error");
      if (!res.headersSent) res.statusCode = 500;
      res.end();
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(deps.port, deps.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const host = deps.host.includes(":") ? `[${deps.host}]` : deps.host;
  return {
    url: `http://${host}:${port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeIdleConnections();
      }),
  };
}
