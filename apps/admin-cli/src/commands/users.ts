import type { Command } from "commander";
import type { Environment } from "../config.js";
import { withContext } from "../context.js";
import { obtainPassword } from "../prompt.js";

export function registerUserCommands(program: Command, env: Environment): void {
  const users = program.command("users").description("customer accounts");

  users
    .command("create")
    .description("create a customer account")
    .requiredOption("--name <name>", "full name")
    .requiredOption("--email <email>", "email, used to log in")
    .requiredOption("--phone <phone>", "phone number")
    .option("--password <password>", "at least 8 characters (left out: a hidden prompt)")
    .option("--password-stdin", "read the password from stdin")
    .action(
      (
        options: { name: string; email: string; phone: string; password?: string; passwordStdin?: boolean },
        command: Command,
      ) =>
        withContext(command, env, async ({ client, out }) => {
          const password = await obtainPassword(options, env, `Password for ${options.email}`);
          const user = await client.users.create.mutate({
            name: options.name,
            email: options.email,
            phone_number: options.phone,
            password,
          });
          out.result(user, () => `created user ${user.id}: ${user.name} <${user.email}> (${user.role})`);
        }),
    );
}
