// For tests: real server processes from source (SOURCE_SERVER_ARGS) over one external database,
// for what must hold across instances (the sweeper, the hold cap, the live feed).
import { spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { inheritedEnvironment, SERVER_DIR, SOURCE_SERVER_ARGS } from "./process-harness.js";
import { TEST_ADMIN, TEST_JWT_SECRET } from "./test-server.js";

export interface ServerProcess {
  url: string;
  /** SIGTERM, then SIGKILL for the whole process group if it has not exited within 15 s. */
  stop(): Promise<void>;
}

/** Starts one server process on `databaseUrl` with these extra settings; resolves once it serves. */
export async function startServerProcess(
  databaseUrl: string,
  settings: Record<string, string> = {},
): Promise<ServerProcess> {
  const dataDir = await mkdtemp(join(tmpdir(), "eventforge-process-"));
  const child = spawn(process.execPath, SOURCE_SERVER_ARGS, {
    cwd: SERVER_DIR,
    env: {
      ...inheritedEnvironment(),
      NODE_ENV: "test",
      PORT: "0",
      DATABASE_URL: databaseUrl,
      EVENTFORGE_DATA_DIR: dataDir,
      EVENTFORGE_JWT_SECRET: TEST_JWT_SECRET,
      EVENTFORGE_ADMIN_EMAIL: TEST_ADMIN.email,
      EVENTFORGE_ADMIN_PASSWORD: TEST_ADMIN.password,
      // As startTestServer: a loaded test machine can take seconds to start a backend, and bursts
      // of concurrent holds at a fresh pool must wait for one, not fail (the fault tests' own
      // processes keep the production bound).
      EVENTFORGE_DB_CONNECT_TIMEOUT_MS: "30000",
      ...settings,
    },
    stdio: ["ignore", "pipe", "pipe"],
    // Its own process group, so that stop() can end it and anything it left behind together.
    detached: true,
  });
  const exited = new Promise<void>((resolve) => child.once("close", () => resolve()));
  const output: string[] = [];
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => output.push(chunk));
  const killGroup = () => {
    try {
      if (child.pid !== undefined) process.kill(-child.pid, "SIGKILL");
    } catch {
      // Already gone.
    }
  };
  const stop = async () => {
    child.kill("SIGTERM");
    const timer = setTimeout(killGroup, 15_000);
    await exited;
    clearTimeout(timer);
    killGroup(); // whatever it left behind
    await rm(dataDir, { recursive: true, force: true });
  };
  try {
    const url = await new Promise<string>((resolve, reject) => {
      // A hang guard: several tsx servers starting at once on a loaded machine take a while.
      const timer = setTimeout(
        () => reject(new Error(`no server after 150 s:\n${output.join("")}`)),
        150_000,
      );
      void exited.then(() => reject(new Error(`the server exited:\n${output.join("")}`)));
      createInterface({ input: child.stdout }).on("line", (line) => {
        output.push(`${line}\n`);
        try {
          const entry = JSON.parse(line) as { msg?: string; url?: string };
          if (entry.msg === "EventForge is serving /trpc" && typeof entry.url === "string") {
            clearTimeout(timer);
            resolve(entry.url);
          }
        } catch {
          // Not pino output; kept for the failure message.
        }
      });
    });
    return { url, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
