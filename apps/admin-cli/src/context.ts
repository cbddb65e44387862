import { createEventForgeClient, type EventForgeClient } from "@eventforge/client";
import type { Command } from "commander";
import { DEFAULT_URL, type Environment } from "./config.js";
import { CliFailure, UsageError } from "./errors.js";
import { createOutput, type Output } from "./output.js";
import { readSession, type Session } from "./session.js";

/** A request that has had no answer for this long is given up (an import chunk takes a second or two). */
const REQUEST_TIMEOUT_MS = 60_000;

interface GlobalOptions {
  url?: string;
  json?: boolean;
  color: boolean;
}

/** What every command works with: where the server is, who is logged in, where output goes. */
export interface CommandContext {
  env: Environment;
  out: Output;
  url: string;
  /** A client that sends the saved login's token, if there is one for `url`. */
  client: EventForgeClient;
  /** The saved login to `url`; fails with NOT_LOGGED_IN when there is none. */
  requireLogin(): Session;
}

/**
 * The server is `--url`, else `EVENTFORGE_URL`, else the one of the saved login, else the default.
 * The token is only ever sent to the server it came from.
 */
async function commandContext(command: Command, env: Environment): Promise<CommandContext> {
  const options = command.optsWithGlobals<GlobalOptions>();
  const saved = await readSession(env.configDir);
  const url = normalizeUrl(options.url ?? env.url ?? saved?.url ?? DEFAULT_URL);
  const session = saved && normalizeUrl(saved.url) === url ? saved : undefined;
  return {
    env,
    out: createOutput({ json: options.json === true, colour: env.colour && options.color }),
    url,
    client: connect(url, session?.access_token),
    requireLogin() {
      if (!session)
        throw new CliFailure("NOT_LOGGED_IN", `not logged in to ${url}: run \`eventforge login\``);
      return session;
    },
  };
}

/** A failure inside a command, with the server it was talking to (for the message). */
export class CommandFailure extends Error {
  constructor(
    readonly failure: unknown,
    readonly url: string,
  ) {
    super("command failed", { cause: failure });
  }
}

/** Runs a command's work with its context; failures carry the server's URL to the error line. */
export async function withContext(
  command: Command,
  env: Environment,
  work: (context: CommandContext) => Promise<void>,
): Promise<void> {
  const context = await commandContext(command, env);
  try {
    await work(context);
  } catch (error) {
    throw new CommandFailure(error, context.url);
  }
}

function connect(url: string, token: string | undefined): EventForgeClient {
  return createEventForgeClient({
    url,
    ...(token ? { token } : {}),
    fetch: (input, init) => {
      const timeout = AbortSignal.timeout(REQUEST_TIMEOUT_MS);
      return fetch(input, {
        ...init,
        signal: init?.signal ? AbortSignal.any([init.signal, timeout]) : timeout,
      });
    },
  });
}

function normalizeUrl(written: string): string {
  let url: URL;
  try {
    url = new URL(written);
  } catch {
    throw new UsageError(`${written} is not a URL: use the server's address, like ${DEFAULT_URL}`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new UsageError(`${written}: the server's URL starts with http:// or https://`);
  }
  return url.href.replace(/\/+$/u, "");
}
