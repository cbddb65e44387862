import { homedir } from "node:os";
import { join } from "node:path";

// The only module of the CLI that reads process.env.

export const DEFAULT_URL = "http://127.0.0.1:8001";

export interface Environment {
  /** `EVENTFORGE_URL`: the server to talk to when `--url` is not given. */
  url: string | undefined;
  /** Where the login is kept: `EVENTFORGE_CONFIG_DIR`, else `$XDG_CONFIG_HOME/eventforge`, else `~/.config/eventforge`. */
  configDir: string;
  /** Colour on stdout: a terminal without `NO_COLOR`, or `FORCE_COLOR`. */
  colour: boolean;
  /** A person is watching stdout (progress bars, prompts make sense). */
  interactiveOutput: boolean;
  /** stdin is a terminal, so a hidden password prompt can be shown. */
  interactiveInput: boolean;
}

/** A variable that is present but blank counts as unset (`NO_COLOR=` does not turn colour off). */
function setting(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const value = env[name]?.trim();
  return value ? value : undefined;
}

export function readEnvironment(
  env: NodeJS.ProcessEnv = process.env,
  streams: { stdin: { isTTY?: boolean }; stdout: { isTTY?: boolean } } = process,
): Environment {
  const xdgConfigHome = setting(env, "XDG_CONFIG_HOME");
  const stdoutIsTerminal = streams.stdout.isTTY === true;
  const forceColour = setting(env, "FORCE_COLOR");
  return {
    url: setting(env, "EVENTFORGE_URL"),
    configDir:
      setting(env, "EVENTFORGE_CONFIG_DIR") ??
      join(xdgConfigHome ?? join(homedir(), ".config"), "eventforge"),
    colour:
      setting(env, "NO_COLOR") === undefined &&
      ((forceColour !== undefined && forceColour !== "0") || (stdoutIsTerminal && env.TERM !== "dumb")),
    interactiveOutput: stdoutIsTerminal,
    interactiveInput: streams.stdin.isTTY === true,
  };
}
