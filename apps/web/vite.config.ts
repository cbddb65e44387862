import { defaultClientConditions, defineConfig } from "vite";

// `pnpm dev`: Vite's dev server (http://127.0.0.1:5173) with the API proxied to the server that
// `pnpm dev` starts beside it (PORT, 8001 by default). The build is what the server serves at `/`.
const apiPort = process.env.PORT ?? "8001";

export default defineConfig({
  // The workspace packages' TypeScript source, as tsx and the tests resolve them (a package's
  // dist exists only after its own build).
  resolve: { conditions: ["@eventforge/source", ...defaultClientConditions] },
  server: {
    host: "127.0.0.1",
    port: 5173,
    strictPort: true,
    proxy: { "/trpc": { target: `http://127.0.0.1:${apiPort}` } },
  },
  build: {
    outDir: "dist",
    assetsDir: "assets",
    target: "es2022",
    // One small app: a single entry chunk is fine; the server marks everything under /assets/ immutable.
    chunkSizeWarningLimit: 200,
  },
});
