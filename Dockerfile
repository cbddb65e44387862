# syntax=docker/dockerfile:1
# The EventForge server image: built with the whole workspace, shipped as `pnpm deploy` output
# (the server, its compiled workspace packages and production dependencies only).

FROM node:20-bookworm-slim AS build
RUN corepack enable
WORKDIR /src
COPY . .
RUN pnpm install --frozen-lockfile \
 && pnpm build:server \
 && pnpm deploy --filter=@eventforge/server --prod --legacy /app

FROM node:20-bookworm-slim AS runtime
# tini as PID 1: it forwards SIGTERM to node (which shuts down in order) and reaps zombies.
RUN apt-get update \
 && apt-get install -y --no-install-recommends tini \
 && rm -rf /var/lib/apt/lists/*
ENV NODE_ENV=production HOST=0.0.0.0 PORT=8001
WORKDIR /app
COPY --from=build --chown=node:node /app /app
USER node
EXPOSE 8001
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + process.env.PORT + '/readyz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
ENTRYPOINT ["/usr/bin/tini", "--"]
# The V8 heap settings of every production start (measured: apps/bench/src/environment.ts).
CMD ["node", "--max-semi-space-size=4", "--heap-growing-percent=50", "dist/main.js"]
