import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { createLoginThrottle } from "@eventforge/api";
import { createDb, type Database, ensureDatabase, migrateToLatest } from "@eventforge/db";
import { type EmbeddedPostgresServer, startEmbeddedPostgres } from "@eventforge/db/embedded";
import { type AdminBootstrap, ensureAdmin, ensureSomeAdmin } from "@eventforge/domain";
import type { Logger } from "pino";
import type { ServerConfig } from "./config.js";
import { startHttpServer } from "./http.js";
import { embeddedDatabasePassword, resolveJwtSecret } from "./secrets.js";
import { createSweeper } from "./sweeper.js";

export interface RunningEventForge {
  url: string;
  /** Closes the HTTP server, then the pool, then the embedded database (if any). */
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
    databaseUrl = await ensureDatabase(embedded.url, EMBEDDED_DATABASE);
  }

  const db = createDb(databaseUrl, { maxConnections: config.poolSize });
  try {
    await migrateToLatest(db);
    const secret = await resolveJwtSecret(config.jwtSecret, config.dataDir);
    await bootstrapAdmin(db, config, logger);
    const http = await startHttpServer({
      db,
      tokens: { secret, ttlSeconds: config.tokenTtlSeconds },
      loginThrottle: createLoginThrottle(),
      maxHoldsPerShow: config.maxHoldsPerShow,
      host: config.host,
      port: config.port,
      logger,
    });
    const sweeper = createSweeper({ db, intervalMs: config.sweepIntervalMs, logger });
    sweeper.start();
    logger.info(
      { url: http.url, docs: `${http.url}/docs`, database: embedded ? "embedded" : "DATABASE_URL" },
      "EventForge is serving /trpc",
    );
    return {
      url: http.url,
      stop: async () => {
        await http.close();
        await sweeper.stop();
        await db.destroy();
        await embedded?.stop();
      },
    };
  } catch (error) {
    await db.destroy();
    await embedded?.stop();
    throw error;
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
