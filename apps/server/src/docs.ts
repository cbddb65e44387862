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

const JS = "text/javascript; charset=utf-8";

/** Everything under /docs: the page, its start-up script and the package files the page uses. */
const FILES: Record<string, { type: string; body: () => string | Promise<Buffer>; cache: string }> = {
  "": { type: "text/html; charset=utf-8", body: () => PAGE, cache: "no-cache" },
  "init.js": { type: JS, body: () => INIT, cache: "no-cache" },
  "swagger-ui.css": packageFile("swagger-ui.css", "text/css; charset=utf-8"),
  "swagger-ui-bundle.js": packageFile("swagger-ui-bundle.js", JS),
  "favicon-32x32.png": packageFile("favicon-32x32.png", "image/png"),
};

function packageFile(name: string, type: string) {
  return { type, body: () => fromPackage(name), cache: "public, max-age=86400" };
}

// Read once, on first use: the bundle is 1.7 MB and never changes while the server runs.
const packageFiles = new Map<string, Promise<Buffer>>();
function fromPackage(name: string): Promise<Buffer> {
  let file = packageFiles.get(name);
  if (!file) {
    file = readFile(join(swaggerUiDir, name));
    packageFiles.set(name, file);
  }
  return file;
}

// Swagger UI styles elements inline; scripts come only from this server.
const CSP = "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'";

/** Answers a request for /docs or one of its files; returns false for any other path. */
export async function serveDocs(path: string, res: ServerResponse): Promise<boolean> {
  const name = path === "/docs" ? "" : path.slice("/docs/".length);
  const file = Object.hasOwn(FILES, name) ? FILES[name] : undefined;
  if (!file) return false;
  const body = await file.body();
  res.setHeader("content-type", file.type);
  res.setHeader("x-content-type-options", "nosniff");
  res.setHeader("content-security-policy", CSP);
  res.setHeader("cache-control", file.cache);
  res.end(body);
  return true;
}
