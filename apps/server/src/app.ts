import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { createRateLimits, type RateLimitStore } from "@eventforge/api";
import {
  createDb,
  createSeatChangeListener,
  type Database,
  ensureDatabase,
  migrateToLatest,
} from "@eventforge/db";
import { type EmbeddedPostgresServer, startEmbeddedPostgres } from "@eventforge/db/embedded";
import { type AdminBootstrap, createLiveFeed, ensureAdmin, ensureSomeAdmin } from "@eventforge/domain";
import { Redis } from "ioredis";
import type { Logger } from "pino";
import type { ServerConfig } from "./config.js";
import { startHttpServer } from "./http.js";
import { createMetrics } from "./metrics.js";
import { embeddedDatabasePassword, resolveJwtSecret } from "./secrets.js";
import { createIdempotencyPurge, createSweeper, IDEMPOTENCY_PURGE_INTERVAL_MS } from "./sweeper.js";

export interface RunningEventForge {
  url: string;
  /** The shutdown sequence (see `shutDown`); resolves when everything is closed. */
  stop(): Promise<void>;
}

/**
 * Work that runs beside the requests (the expiry sweeper, the LISTEN connection, live streams).
 * Whoever starts such work adds it to the instance's list; a shutdown stops it after new
 * connections are refused and before the pool closes, in reverse order of starting.
 */
export interface BackgroundWork {
  name: string;
  stop(): Promise<void>;
}

const EMBEDDED_DATABASE = "eventforge";

/** Starts everything: Postgres (embedded or external), migrations, admin, the HTTP server. */
export async function startEventForge(config: ServerConfig, logger: Logger): Promise<RunningEventForge> {
  let embedded: EmbeddedPostgresServer | undefined;
  let databaseUrl = config.databaseUrl;
  if (!databaseUrl) {
    const dataDir = join(config.dataDir, "postgres");
    logger.info({ dataDir }, "starting embedded PostgreSQL");
    embedded = await startEmbeddedPostgres({
      dataDir,
      persistent: true,
      password: await embeddedDatabasePassword(config.dataDir),
      onLog: (message) => logger.debug({ postgres: message.trim() }),
    });
    // As root these may be staged copies outside a directory the postgres user cannot enter.
    logger.info(
      { dataDir: embedded.dataDir, binaries: embedded.binariesDir },
      "embedded PostgreSQL is running",
    );
    databaseUrl = await ensureDatabase(embedded.url, EMBEDDED_DATABASE);
  }

  const db = createDb(databaseUrl, {
    maxConnections: config.poolSize,
    connectionTimeoutMs: config.dbConnectTimeoutMs,
    onConnectionError: (error) =>
      logger.warn({ err: error }, "database connection lost; it will be replaced"),
  });
  let redis: Redis | undefined;
  const background: BackgroundWork[] = [];
  try {
    await migrateToLatest(db);
    const secret = await resolveJwtSecret(config.jwtSecret, config.dataDir);
    await bootstrapAdmin(db, config, logger);
    let store: RateLimitStore = { kind: "postgres", db };
    if (config.redisUrl) {
      // Fail fast while Redis is down: the limits fall back to this process's memory meanwhile.
      redis = new Redis(config.redisUrl, { enableOfflineQueue: false, maxRetriesPerRequest: 1 });
      redis.on("error", (error) =>
        logger.warn({ err: error }, "redis unavailable; rate limits count locally"),
      );
      store = { kind: "redis", client: redis };
    }
    // Live availability: one LISTEN connection of its own (not the pool's) feeds the instance's
    // feed; after every (re)connect the feed reads what it missed from reservation_events.
    const live = createLiveFeed({
      db,
      onFetchError: (error, showId) =>
        logger.warn({ err: error, showId }, "reading seat changes failed; retrying"),
    });
    const listener = createSeatChangeListener({
      connectionString: databaseUrl,
      onNotice: (notice) => live.notify(notice),
      onListening: () => live.catchUp(),
      onConnectionLost: (error, retryInMs) =>
        logger.warn({ err: error, retryInMs }, "LISTEN connection lost; reconnecting"),
    });
    await listener.start();
    background.push({
      name: "live feed",
      // Streams end first (their requests then finish), then the LISTEN connection closes.
      stop: async () => {
        live.stop();
        await listener.stop();
      },
    });
    const metrics = createMetrics(db, live);
    const http = await startHttpServer({
      db,
      tokens: { secret, ttlSeconds: config.tokenTtlSeconds },
      maxHoldsPerShow: config.maxHoldsPerShow,
      idempotencyTtlHours: config.idempotencyTtlHours,
      live,
      onHoldOutcome: (outcome) => metrics.holds.inc({ outcome }),
      // Instances on one database share their limits, and only theirs, whichever the store.
      rateLimits: createRateLimits(
        store,
        config.rates,
        `eventforge:${new URL(databaseUrl).pathname.slice(1)}`,
      ),
      host: config.host,
      port: config.port,
      logger,
      maxBatch: config.maxBatch,
      trustProxyHops: config.trustProxyHops,
      metrics,
      metricsToken: config.metricsToken,
    });
    const sweeper = createSweeper({
      db,
      intervalMs: config.sweepIntervalMs,
      logger,
      onExpired: (count) => metrics.expiredHolds.inc(count),
    });
    sweeper.start();
    background.push({ name: "expiry sweeper", stop: () => sweeper.stop() });
    const purge = createIdempotencyPurge({ db, intervalMs: IDEMPOTENCY_PURGE_INTERVAL_MS, logger });
    purge.start();
    background.push({ name: "idempotency key purge", stop: () => purge.stop() });
    logger.info(
      { url: http.url, docs: `${http.url}/docs`, database: embedded ? "embedded" : "DATABASE_URL" },
      "EventForge is serving /trpc",
    );

    let stopping: Promise<void> | undefined;
    /**
     * docs/design.md, Running: Shutdown, in this order; EVENTFORGE_SHUTDOWN_TIMEOUT_MS bounds the
     * waiting. The pool and the databases close only after nothing can use them any more.
     */
    const shutDown = async () => {
      const started = Date.now();
      const deadline = started + config.shutdownTimeoutMs;
      // 1. /readyz answers 503, new connections are refused, kept-alive ones get Connection: close.
      http.stopAccepting();
      // 2. Stop background work (live streams end, so their requests finish too).
      for (const work of [...background].reverse()) {
        await stopBefore(work, deadline).catch((error: unknown) =>
          logger.warn({ err: error, work: work.name }, "background work did not stop cleanly"),
        );
      }
      // 3. Requests in flight finish; at the deadline whatever is left is closed.
      const { forced } = await http.drain(deadline);
      logger.info({ drainMs: Date.now() - started, forcedConnections: forced }, "requests drained");
      // 4. The pool (and the rate limits' Redis client), then 5. the embedded database.
      redis?.disconnect();
      await db.destroy();
      await embedded?.stop();
    };
    return {
      url: http.url,
      stop: () => {
        stopping ??= shutDown();
        return stopping;
      },
    };
  } catch (error) {
    for (const work of [...background].reverse()) await work.stop();
    redis?.disconnect();
    await db.destroy();
    await embedded?.stop();
    throw error;
  }
}

/** `work.stop()`, given up on (rejecting) at the shutdown deadline. */
async function stopBefore(work: BackgroundWork, deadline: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`${work.name} still running at the deadline`)),
      deadline - Date.now(),
    );
  });
  try {
    await Promise.race([work.stop(), late]);
  } finally {
    clearTimeout(timer);
  }
}

async function bootstrapAdmin(db: Database, config: ServerConfig, logger: Logger): Promise<void> {
  let result: AdminBootstrap;
  if (config.admin) {
    result = await ensureAdmin(db, config.admin);
  } else if (config.nodeEnv !== "production") {
    result = await ensureSomeAdmin(db, () => randomBytes(12).toString("base64url"));
  } else {
    logger.warn("no EVENTFORGE_ADMIN_EMAIL/EVENTFORGE_ADMIN_PASSWORD: no admin account is ensured");
    return;
  }
  if (result.kind === "created" && result.generated) {
    // Printed once, when the account is created; it is never stored in clear.
    logger.warn(
      { email: result.user.email, password: result.password },
      "created a development admin; note this password, it is not shown again",
    );
  } else {
    logger.info({ email: result.user.email, change: result.kind }, "admin account ensured");
  }
}
