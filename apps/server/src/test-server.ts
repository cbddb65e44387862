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

export async function startTestServer(): Promise<TestServer> {
  const t = await createTestDatabase();
  const dataDir = await mkdtemp(join(tmpdir(), "eventforge-e2e-"));
  const config = loadConfig({
    DATABASE_URL: t.url,
    PORT: "0",
    EVENTFORGE_DATA_DIR: dataDir,
    EVENTFORGE_JWT_SECRET: TEST_JWT_SECRET,
    EVENTFORGE_ADMIN_EMAIL: TEST_ADMIN.email,
    EVENTFORGE_ADMIN_PASSWORD: TEST_ADMIN.password,
    EVENTFORGE_DB_POOL_SIZE: "20",
  });
  const app = await startEventForge(config, pino({ level: "silent" }));
  return {
    url: app.url,
    t,
    stop: async () => {
      await app.stop();
      await t.drop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
