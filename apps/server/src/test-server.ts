// For tests: the real server (startEventForge, as main.ts runs it) on port 0 over a fresh database.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createTestDatabase, type TestDatabase } from "@eventforge/db/testing";
import { pino } from "pino";
import { startEventForge } from "./app.js";
import { loadConfig } from "./config.js";

export const TEST_ADMIN = { email: "boxoffice@example.com", password: "admin password 1" };
export const TEST_JWT_SECRET = "e2e-secret-that-is-at-least-32-characters";

export interface TestServer {
  url: string;
  /** The test database, for checks that bypass the server. */
  t: TestDatabase;
  stop(): Promise<void>;
}

/**
 * `settings` override the environment (e.g. a rate limit); `database` runs a second instance on
 * another test server's database (it is dropped by the server that created it).
 */
export async function startTestServer(
  settings: Record<string, string> = {},
  database?: TestDatabase,
): Promise<TestServer> {
  const t = database ?? (await createTestDatabase());
  const dataDir = await mkdtemp(join(tmpdir(), "eventforge-e2e-"));
  const config = loadConfig({
    DATABASE_URL: t.url,
    PORT: "0",
    EVENTFORGE_DATA_DIR: dataDir,
    EVENTFORGE_JWT_SECRET: TEST_JWT_SECRET,
    EVENTFORGE_ADMIN_EMAIL: TEST_ADMIN.email,
    EVENTFORGE_ADMIN_PASSWORD: TEST_ADMIN.password,
    EVENTFORGE_DB_POOL_SIZE: "20",
    // A race of 50 requests queues for the pool, and a loaded test machine can take seconds to
    // start a backend: waiting is not what these tests are about (the faults tests run their own
    // processes with the production default).
    EVENTFORGE_DB_CONNECT_TIMEOUT_MS: "30000",
    // Tests sign up and sign in many users from 127.0.0.1; the limits have tests of their own.
    EVENTFORGE_HOLD_RATE_PER_MINUTE: "0",
    EVENTFORGE_SIGNUP_RATE_PER_HOUR: "0",
    EVENTFORGE_LOGIN_RATE_PER_HOUR: "0",
    ...settings,
  });
  const app = await startEventForge(config, pino({ level: "silent" }));
  return {
    url: app.url,
    t,
    stop: async () => {
      await app.stop();
      if (!database) await t.drop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
