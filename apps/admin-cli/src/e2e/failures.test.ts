import { readFile } from "node:fs/promises";
import { createServer as createHttpServer } from "node:http";
import { createServer } from "node:net";
import { join } from "node:path";
import { issueAccessToken } from "@eventforge/domain";
import { beforeAll, describe, expect, it } from "vitest";
import { type Session, saveSession, sessionPath } from "../session.js";
import { ADMIN, GRID_26_BY_40, JWT_SECRET, useCliWorld } from "./harness.js";

const w = useCliWorld();
let fanDir: string;
let gridShowId: string;

beforeAll(async () => {
  fanDir = (await w.signUpFan()).dir;
  gridShowId = await w.createShow("Gala", GRID_26_BY_40);
});

describe("failures", () => {
  /** A port that nothing listens on. */
  async function closedPort(): Promise<number> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const address = server.address();
    await new Promise((resolve) => server.close(resolve));
    if (typeof address !== "object" || address === null) throw new Error("no port");
    return address.port;
  }

  /** A config dir holding a saved login to the test server with this token. */
  async function loginWithToken(name: string, token: string): Promise<string> {
    const dir = join(w.scratch, name);
    await saveSession(dir, {
      url: w.app.url,
      access_token: token,
      expires_at: new Date().toISOString(),
      user: { id: 1, email: ADMIN.email, role: "admin" },
    });
    return dir;
  }

  it("each has one line on stderr with its reason, and exit code 1; nothing on stdout, even with --json", async () => {
    const admin = (JSON.parse(await readFile(sessionPath(w.adminDir), "utf8")) as Session).user;
    const secret = new TextEncoder().encode(JWT_SECRET);
    const expired = await issueAccessToken({ secret, ttlSeconds: -10 }, { userId: admin.id, role: "admin" });
    const [expiredDir, forgedDir] = await Promise.all([
      loginWithToken("expired", expired.access_token),
      loginWithToken("forged", "not.a.jwt"),
    ]);
    const elsewhere = `http://127.0.0.1:${await closedPort()}`;

    const runs = await Promise.all([
      w.eventforge(["--json", "shows", "list", "--url", elsewhere]),
      w.eventforge(["--json", "whoami"], { as: expiredDir }),
      w.eventforge(["hold", gridShowId, "D1"], { as: expiredDir }),
      w.eventforge(["whoami"], { as: forgedDir }),
      w.eventforge(["--json", "hold", gridShowId, "D1"]),
      // Logged in to the test server, the token is not sent anywhere else.
      w.eventforge(["whoami", "--url", elsewhere], { as: w.adminDir }),
      w.eventforge(["--json", "hold", gridShowId, "D1", "--minutes", "21"], { as: fanDir }),
      w.eventforge(["--json", "shows", "get", "2000000000"]),
      w.eventforge(["hold", gridShowId, "ZZ99"], { as: fanDir }),
    ]);
    expect(runs).toEqual(
      [
        `UNREACHABLE: cannot reach the EventForge server at ${elsewhere} (ECONNREFUSED): is it running? Set --url or EVENTFORGE_URL`,
        "TOKEN_EXPIRED: your login has expired: run `eventforge login` again",
        "TOKEN_EXPIRED: your login has expired: run `eventforge login` again",
        `INVALID_TOKEN: ${w.app.url} does not accept your saved login (did its secret change?): run \`eventforge login\` again`,
        `NOT_LOGGED_IN: not logged in to ${w.app.url}: run \`eventforge login\``,
        `NOT_LOGGED_IN: not logged in to ${elsewhere}: run \`eventforge login\``,
        "INVALID_INPUT: invalid input: hold_minutes: Too big: expected number to be <=20",
        "SHOW_NOT_FOUND: show 2000000000 not found",
        `SEAT_NOT_FOUND: show ${gridShowId} has no seat ZZ99`,
      ].map((line) => ({ code: 1, stdout: "", stderr: `${line}\n` })),
    );
    // auth.login is public: the saved token that the server rejects does not stop a new login.
    expect(
      await w.ok(["login", "--email", ADMIN.email, "--password", ADMIN.password], { as: forgedDir }),
    ).toMatch(new RegExp(`^logged in to ${w.app.url} as ${ADMIN.email} `, "u"));
    expect(await w.ok(["whoami"], { as: forgedDir })).toContain(
      `${ADMIN.email} (Administrator, admin, user `,
    );
  });

  it("from something that is not an EventForge server is UNEXPECTED_RESPONSE", async () => {
    const server = createHttpServer((_request, response) => {
      response.writeHead(404, { "content-type": "text/plain" }).end("Not Found");
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const address = server.address();
      if (typeof address !== "object" || address === null) throw new Error("no port");
      const url = `http://127.0.0.1:${address.port}`;
      const run = await w.eventforge(["--json", "shows", "list", "--url", url]);
      expect(run).toMatchObject({ code: 1, stdout: "" });
      expect(run.stderr).toMatch(
        new RegExp(
          `^UNEXPECTED_RESPONSE: ${url} did not answer like an EventForge server( \\(HTTP 404\\))?: \\S.*\\n$`,
          "u",
        ),
      );
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it("of usage exit with 2", async () => {
    const runs = await Promise.all([
      w.eventforge(["--json", "bogus"]),
      w.eventforge(["shows", "get", "abc"]),
      w.eventforge(["hold", "1"]),
      w.eventforge(["hold", "1", "A1", "--minutes", "ten"]),
      w.eventforge(["--url", "not a url", "shows", "list"]),
      w.eventforge([]),
    ]);
    expect(runs.map((run) => [run.code, run.stdout, run.stderr.split("\n")[0]])).toEqual([
      [2, "", "error: unknown command 'bogus'"],
      [
        2,
        "",
        "error: command-argument value 'abc' is invalid for argument 'show-id'. expected a positive whole number",
      ],
      [2, "", "error: missing required argument 'labels'"],
      [2, "", "error: option '--minutes <n>' argument 'ten' is invalid. expected a whole number"],
      [2, "", "error: not a url is not a URL: use the server's address, like http://127.0.0.1:8001"],
      [2, "", "Usage: eventforge [options] [command]"],
    ]);
    const help = await w.eventforge(["seats", "add", "--help"]);
    expect(help).toMatchObject({ code: 0, stderr: "" });
    expect(help.stdout).toContain("Usage: eventforge seats add [options] <show-id> [labels...]");
  });
});
