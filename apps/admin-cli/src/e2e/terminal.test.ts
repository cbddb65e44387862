import { spawn, spawnSync } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ADMIN, BIN, finished, type RunOptions, useCliWorld } from "./harness.js";

const w = useCliWorld();

// util-linux `script` runs a command on a pseudo-terminal; BSD `script` (macOS) takes other arguments.
const hasScript = /util-linux/u.test(spawnSync("script", ["--version"], { encoding: "utf8" }).stdout ?? "");

describe.skipIf(!hasScript)("on a terminal", () => {
  /** Runs the CLI on a pseudo-terminal; when `answer.prompt` appears, types `answer.text` and Enter. */
  function onTerminal(args: string[], options: RunOptions & { answer?: { prompt: string; text: string } }) {
    const quoted = [process.execPath, BIN, ...args].map((arg) => `'${arg.replaceAll("'", "'\\''")}'`);
    const child = spawn("script", ["-qec", quoted.join(" "), "/dev/null"], {
      cwd: w.scratch,
      env: w.env(options),
    });
    const { answer } = options;
    if (!answer) child.stdin.end();
    return finished(child, (stdout) => {
      if (answer && stdout.includes(answer.prompt) && child.stdin.writable) {
        child.stdin.end(`${answer.text}\r`);
      }
    });
  }

  it("asks for the password without echoing it, and shows the progress of a large import", async () => {
    const dir = join(w.scratch, "terminal");
    const login = await onTerminal(["login", "--email", ADMIN.email], {
      as: dir,
      answer: { prompt: `Password for ${ADMIN.email}`, text: ADMIN.password },
    });
    expect(login.code, login.stdout).toBe(0);
    expect(login.stdout).toContain(`logged in to ${w.app.url} as ${ADMIN.email}`);
    expect(login.stdout).not.toContain(ADMIN.password);

    const show = await w.json(
      ["shows", "create", "--title", "Arena", "--venue", "Dome", "--starts-at", "2031-01-06T20:00Z"],
      { as: dir },
    );
    const added = await onTerminal(
      ["seats", "add", String(show.id), "--rows", "A-E", "--numbers", "1-1000"],
      {
        as: dir,
      },
    );
    expect(added.code, added.stdout).toBe(0);
    // Every finished chunk is drawn, however fast the chunks come back.
    expect(added.stdout).toMatch(/adding seats \S+ 2,000 of 5,000/u);
    expect(added.stdout).toMatch(/adding seats \S+ 4,000 of 5,000/u);
    expect(added.stdout).toContain(`added 5,000 seats to show ${show.id} in 3 requests of up to 2,000`);
  });
});
