import { Command, CommanderError } from "commander";
import packageJson from "../package.json" with { type: "json" };
import { registerAuthCommands } from "./commands/auth.js";
import { registerAvailabilityCommand } from "./commands/availability.js";
import { registerReservationCommands } from "./commands/reservations.js";
import { registerSeatCommands } from "./commands/seats.js";
import { registerShowCommands } from "./commands/shows.js";
import { registerUserCommands } from "./commands/users.js";
import { DEFAULT_URL, type Environment } from "./config.js";
import { CommandFailure } from "./context.js";
import { describeFailure, EXIT, UsageError } from "./errors.js";

/** Runs one command line; resolves to the process's exit code. */
export async function runCli(argv: readonly string[], env: Environment): Promise<number> {
  const program = createProgram(env);
  try {
    await program.parseAsync(argv, { from: "user" });
    return EXIT.ok;
  } catch (error) {
    // Commander has already printed its own message (and --help or --version their text).
    if (error instanceof CommanderError) return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
    const failure = error instanceof CommandFailure ? error.failure : error;
    if (failure instanceof UsageError) {
      process.stderr.write(`error: ${failure.message}\n`);
      return EXIT.usage;
    }
    const url = error instanceof CommandFailure ? error.url : DEFAULT_URL;
    process.stderr.write(`${describeFailure(failure, url)}\n`);
    return EXIT.failed;
  }
}

function createProgram(env: Environment): Command {
  const program = new Command("eventforge")
    .description("Run the EventForge box office from a terminal: shows, seats, seat maps and holds.")
    .option(
      "--url <url>",
      `the server (default: EVENTFORGE_URL, else the server you logged in to, else ${DEFAULT_URL})`,
    )
    .option("--json", "print machine-readable JSON and nothing else on stdout")
    .option("--no-color", "no colour, even on a terminal (NO_COLOR does the same)")
    .version(packageJson.version)
    .showSuggestionAfterError()
    // Every command's --help also lists --url, --json and --no-color.
    .configureHelp({ showGlobalOptions: true })
    // Usage errors exit with 2 (runCli), not commander's process.exit(1).
    .exitOverride();
  for (const register of [
    registerAuthCommands,
    registerUserCommands,
    registerShowCommands,
    registerSeatCommands,
    registerAvailabilityCommand,
    registerReservationCommands,
  ]) {
    register(program, env);
  }
  return program;
}
