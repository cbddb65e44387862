import { text } from "node:stream/consumers";
import type { Environment } from "./config.js";
import { UsageError } from "./errors.js";

/**
 * A password from `--password`, else from stdin (`--password-stdin`, for scripts: it stays out of
 * the shell history and the process list), else from a hidden prompt on a terminal.
 */
export async function obtainPassword(
  options: { password?: string; passwordStdin?: boolean },
  env: Environment,
  message: string,
): Promise<string> {
  if (options.password !== undefined) return options.password;
  if (options.passwordStdin) return (await text(process.stdin)).replace(/\r?\n$/u, "");
  if (!env.interactiveInput) {
    throw new UsageError(
      "no password: give --password or --password-stdin (stdin is not a terminal to ask on)",
    );
  }
  // Loaded only to prompt: it would be a fifth of every command's start-up time.
  const { default: password } = await import("@inquirer/password");
  // The prompt goes to stderr, so that stdout stays clean for --json.
  return password({ message }, { output: process.stderr });
}
