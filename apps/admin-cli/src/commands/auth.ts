import type { Command } from "commander";
import type { Environment } from "../config.js";
import { withContext } from "../context.js";
import { localDateTime } from "../format.js";
import { obtainPassword } from "../prompt.js";
import { deleteSession, type Session, saveSession } from "../session.js";

export function registerAuthCommands(program: Command, env: Environment): void {
  program
    .command("login")
    .description("log in and keep the login (owner-only file in the config directory)")
    .requiredOption("--email <email>", "your account's email")
    .option("--password <password>", "your password (left out: a hidden prompt)")
    .option("--password-stdin", "read the password from stdin")
    .action((options: { email: string; password?: string; passwordStdin?: boolean }, command: Command) =>
      withContext(command, env, async ({ url, out, client }) => {
        const password = await obtainPassword(options, env, `Password for ${options.email}`);
        // auth.login is public: a saved token, even an expired or rejected one, does not get in its way.
        const login = await client.auth.login.mutate({ email: options.email, password });
        const session: Session = {
          url,
          access_token: login.access_token,
          expires_at: new Date(Date.now() + login.expires_in * 1000).toISOString(),
          user: { id: login.user.id, email: login.user.email, role: login.user.role },
        };
        await saveSession(env.configDir, session);
        // The token itself is never printed: it is as good as the password until it expires.
        out.result(
          { url, user: login.user, expires_at: session.expires_at },
          () =>
            `logged in to ${url} as ${login.user.email} (${login.user.role}) until ${localDateTime(new Date(session.expires_at))}`,
        );
      }),
    );

  program
    .command("logout")
    .description("forget the saved login")
    .action((_options: unknown, command: Command) =>
      withContext(command, env, async ({ out }) => {
        // The token stays valid on the server until it expires: tokens are not revoked, only forgotten.
        const forgotten = await deleteSession(env.configDir);
        out.result({ logged_out: forgotten !== undefined, url: forgotten?.url ?? null }, () =>
          forgotten ? `logged out of ${forgotten.url}` : "was not logged in",
        );
      }),
    );

  program
    .command("whoami")
    .description("who the saved login is, as the server sees it")
    .action((_options: unknown, command: Command) =>
      withContext(command, env, async ({ url, out, client, requireLogin }) => {
        const session = requireLogin();
        const user = await client.auth.me.query();
        out.result(
          { url, user, expires_at: session.expires_at },
          () =>
            `${user.email} (${user.name}, ${user.role}, user ${user.id}) on ${url}, logged in until ${localDateTime(new Date(session.expires_at))}`,
        );
      }),
    );
}
