import { readEnvironment } from "./config.js";
import { runCli } from "./program.js";

// `eventforge seats list 3 | head`: once the reader has gone, there is no one left to tell.
process.stdout.on("error", (error: NodeJS.ErrnoException) => {
  if (error.code !== "EPIPE") throw error;
  process.exit(process.exitCode ?? 0);
});

process.exitCode = await runCli(process.argv.slice(2), readEnvironment());
