import { readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { type Session, sessionPath } from "../session.js";
import { ADMIN, FAN, useCliWorld } from "./harness.js";

const w = useCliWorld();

describe("logging in", () => {
  it("keeps the login owner-only, and whoami and logout use it", async () => {
    const adminDir = join(w.scratch, "logged-in-admin");
    const [login, created] = await Promise.all([
      w.eventforge(["login", "--email", ADMIN.email, "--password", ADMIN.password], { as: adminDir }),
      // No --password and stdin is not a terminal: piped input is not taken without --password-stdin.
      w.eventforge(["users", "create", "--name", FAN.name, "--email", FAN.email, "--phone", FAN.phone], {
        input: `${FAN.password}\n`,
      }),
    ]);
    expect(login).toMatchObject({ code: 0, stderr: "" });
    expect(login.stdout).toMatch(
      new RegExp(
        `^logged in to ${w.app.url} as ${ADMIN.email} \\(admin\\) until \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d\\n$`,
        "u",
      ),
    );
    expect((await stat(adminDir)).mode & 0o777).toBe(0o700);
    expect((await stat(sessionPath(adminDir))).mode & 0o777).toBe(0o600);
    const saved = JSON.parse(await readFile(sessionPath(adminDir), "utf8")) as Session;
    expect(saved).toMatchObject({ url: w.app.url, user: { email: ADMIN.email, role: "admin" } });
    expect(login.stdout).not.toContain(saved.access_token);
    expect(created).toMatchObject({ code: 2, stdout: "" });
    expect(created.stderr).toMatch(/^error: no password: /u);

    const [whoami, whoamiJson] = await Promise.all([
      w.ok(["whoami"], { as: adminDir }),
      w.json(["whoami"], { as: adminDir }),
    ]);
    expect(whoami).toContain(`${ADMIN.email} (Administrator, admin, user `);
    expect(whoamiJson).toMatchObject({ url: w.app.url, user: { email: ADMIN.email, role: "admin" } });
    expect(JSON.stringify(whoamiJson)).not.toContain("password");

    const throwaway = join(w.scratch, "throwaway");
    await w.ok(["login", "--email", ADMIN.email, "--password-stdin"], {
      as: throwaway,
      input: `${ADMIN.password}\n`,
    });
    expect(await w.ok(["logout"], { as: throwaway })).toBe(`logged out of ${w.app.url}\n`);
    await expect(stat(sessionPath(throwaway))).rejects.toThrow();
    expect(await w.eventforge(["whoami"], { as: throwaway })).toEqual({
      code: 1,
      stdout: "",
      stderr: `NOT_LOGGED_IN: not logged in to ${w.app.url}: run \`eventforge login\`\n`,
    });
    expect(await w.ok(["logout"], { as: throwaway })).toBe("was not logged in\n");
  });

  it("refuses a wrong password, and a missing one when there is no terminal to ask on", async () => {
    const [wrong, noPassword] = await Promise.all([
      w.eventforge(["login", "--email", ADMIN.email, "--password", "not it"], {
        as: join(w.scratch, "wrong"),
      }),
      w.eventforge(["login", "--email", ADMIN.email], { as: join(w.scratch, "wrong") }),
    ]);
    expect(wrong).toEqual({ code: 1, stdout: "", stderr: "INVALID_CREDENTIALS: invalid credentials\n" });
    expect(noPassword.code).toBe(2);
    expect(noPassword.stderr).toMatch(/^error: no password: give --password or --password-stdin/u);
    await expect(stat(join(w.scratch, "wrong"))).rejects.toThrow();
  });
});
