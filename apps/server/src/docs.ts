import { readFile } from "node:fs/promises";
import type { ServerResponse } from "node:http";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

// The interactive API reference at /docs: Swagger UI, served from the swagger-ui-dist package
// itself (no CDN), reading /openapi.json from the same server.

const swaggerUiDir = dirname(createRequire(import.meta.url).resolve("swagger-ui-dist/package.json"));

const PAGE = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <title>EventForge API</title>
    <link rel="stylesheet" href="/docs/swagger-ui.css" />
    <link rel="icon" type="image/png" href="/docs/favicon-32x32.png" />
  </head>
  <body>
    <div id="swagger-ui"></div>
    <script src="/docs/swagger-ui-bundle.js"></script>
    <script src="/docs/init.js"></script>
  </body>
</html>
`;

const INIT = `window.ui = SwaggerUIBundle({
  url: "/openapi.json",
  dom_id: "#swagger-ui",
  deepLinking: true,
  tryItOutEnabled: true,
  displayRequestDuration: true,
  presets: [SwaggerUIBundle.presets.apis],
  layout: "BaseLayout",
});
`;

const CONTENT_TYPES = {
  ".css": "text/css; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".png": "image/png",
} as const;

/** The files of the package that the page uses: nothing else under /docs is served. */
const ASSETS = new Set(["swagger-ui.css", "swagger-ui-bundle.js", "favicon-32x32.png"]);

// Swagger UI styles elements inline; scripts come only from this server.
const CSP = "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'";

/** Answers a request under /docs; returns false when the path is not one of its files. */
export async function serveDocs(path: string, res: ServerResponse): Promise<boolean> {
  res.setHeader("x-content-type-options", "nosniff");
  if (path === "/docs" || path === "/docs/") {
    res.setHeader("content-type", "text/html; charset=utf-8");
    res.setHeader("content-security-policy", CSP);
    res.end(PAGE);
    return true;
  }
  const name = path.slice("/docs/".length);
  if (name === "init.js") {
    res.setHeader("content-type", CONTENT_TYPES[".js"]);
    res.end(INIT);
    return true;
  }
  if (!ASSETS.has(name)) return false;
  const extension = name.slice(name.lastIndexOf(".")) as keyof typeof CONTENT_TYPES;
  res.setHeader("content-type", CONTENT_TYPES[extension]);
  res.setHeader("cache-control", "public, max-age=86400");
  res.end(await readFile(join(swaggerUiDir, name)));
  return true;
}
