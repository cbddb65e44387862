import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { appRouter, type ContextDeps, createHttpContextFactory } from "@eventforge/api";
import { createHTTPHandler } from "@trpc/server/adapters/standalone";
import type { Logger } from "pino";

/** Requests larger than this are refused before their body is parsed. */
export const MAX_BODY_BYTES = 1_048_576;

export interface HttpServer {
  server: Server;
  /** `http://host:port`, with the port actually bound (PORT=0 picks a free one). */
  url: string;
  close(): Promise<void>;
}

/** The router on tRPC's standalone adapter at /trpc, plus /healthz. */
export async function startHttpServer(
  deps: ContextDeps & { host: string; port: number; logger: Logger },
): Promise<HttpServer> {
  const trpc = createHTTPHandler({
    router: appRouter,
    basePath: "/trpc/",
    maxBodySize: MAX_BODY_BYTES,
    createContext: createHttpContextFactory({
      db: deps.db,
      tokens: deps.tokens,
      loginThrottle: deps.loginThrottle,
    }),
    onError({ error, path }) {
      if (error.code === "INTERNAL_SERVER_ERROR") {
        deps.logger.error({ err: error.cause ?? error, path }, "unexpected error");
      }
    },
  });

  const server = createServer((req, res) => {
    const path = (req.url ?? "/").split("?")[0] ?? "/";
    if (path.startsWith("/trpc/")) {
      trpc(req, res);
      return;
    }
    res.setHeader("content-type", "application/json");
    if (path === "/healthz") {
      res.end(JSON.stringify({ ok: true }));
      return;
    }
    res.statusCode = 404;
    res.end(JSON.stringify({ error: "not found" }));
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(deps.port, deps.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const host = deps.host.includes(":") ? `[${deps.host}]` : deps.host;
  return {
    server,
    url: `http://${host}:${port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeIdleConnections();
      }),
  };
}
