import { readFile } from "node:fs/promises";
import type { ServerResponse } from "node:http";
import { fileURLToPath } from "node:url";

// The box office (apps/web) at `/`, from its built files (`pnpm --filter @eventforge/web build`,
// which `pnpm start` runs through turbo's cache). Vite names every file under /assets/ by its
// content hash, so those are cached for good; index.html is revalidated so a new build shows up.

const DIST_DIR = fileURLToPath(new URL("../../web/dist/", import.meta.url));

/** The app's own paths (apps/web/src/router.ts): each answers with index.html. */
const APP_ROUTES = [
  /^\/$/u,
  /^\/show\/[1-9]\d{0,9}\/?$/u,
  /^\/(?:sign-in|sign-up|my-reservations|admin)\/?$/u,
];

/** This origin only: no inline script or style, nothing from elsewhere, no framing. */
export const BOX_OFFICE_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; " +
  "font-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

const TYPES: Record<string, string> = {
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".html": "text/html; charset=utf-8",
};

const IMMUTABLE = "public, max-age=31536000, immutable";

// Hashed assets never change under their name: read each once.
const assets = new Map<string, Promise<Buffer>>();

function fileOf(path: string): { name: string; cache: string } | undefined {
  if (APP_ROUTES.some((route) => route.test(path))) return { name: "index.html", cache: "no-cache" };
  if (path === "/favicon.svg") return { name: "favicon.svg", cache: "public, max-age=86400" };
  // One plain file name under /assets/: no dots-only segment, no slash, no encoded anything.
  const asset = /^\/assets\/([\w-]+\.(?:js|css|svg))$/u.exec(path);
  if (asset) return { name: `assets/${asset[1]}`, cache: IMMUTABLE };
  return undefined;
}

/** Answers a GET or HEAD for the box office; returns false for any path that is not its own. */
export async function serveBoxOffice(path: string, method: string, res: ServerResponse): Promise<boolean> {
  const file = fileOf(path);
  if (!file) return false;
  let body: Buffer;
  try {
    if (file.cache === IMMUTABLE) {
      let cached = assets.get(file.name);
      if (!cached) {
        cached = readFile(DIST_DIR + file.name);
        assets.set(file.name, cached);
        cached.catch(() => assets.delete(file.name));
      }
      body = await cached;
    } else {
      body = await readFile(DIST_DIR + file.name);
    }
  } catch {
    if (file.name !== "index.html") return false; // an asset of another build: 404 below
    res.statusCode = 503;
    res.setHeader("content-type", "text/plain; charset=utf-8");
    res.setHeader("cache-control", "no-store");
    res.end("The box office is not built yet: run `pnpm build` (`pnpm start` builds it by itself).\n");
    return true;
  }
  const extension = file.name.slice(file.name.lastIndexOf("."));
  res.setHeader("content-type", TYPES[extension] ?? "application/octet-stream");
  res.setHeader("content-length", body.length);
  res.setHeader("cache-control", file.cache);
  res.setHeader("content-security-policy", BOX_OFFICE_CSP);
  res.setHeader("x-content-type-options", "nosniff");
  res.setHeader("referrer-policy", "same-origin");
  res.end(method === "HEAD" ? undefined : body);
  return true;
}
