import { randomBytes } from "node:crypto";
import { inject } from "vitest";
import { createDatabase, dropDatabase } from "../admin.js";
import { type CreateDbOptions, createDb, type Database } from "../create-db.js";
import "./provided-context.js";

export { startTestPostgres, type TestPostgres } from "./provider.js";
export { startTcpProxy, type TcpProxy } from "./tcp-proxy.js";

export interface TestDatabase {
  name: string;
  url: string;
  db: Database;
  /** Closes the pool and drops the database. */
  drop(): Promise<void>;
}

/**
 * A fresh, migrated database of its own for one test file, cloned from the run's template.
 * Call in beforeAll and `drop()` in afterAll; tests never share data or clean up by hand.
 */
export async function createTestDatabase(options: CreateDbOptions = {}): Promise<TestDatabase> {
  const { adminUrl, templateDatabase } = inject("eventforgePostgres");
  const name = `eventforge_test_${randomBytes(6).toString("hex")}`;
  const url = await createDatabase(adminUrl, name, templateDatabase);
  // Races open dozens of connections at once; on a loaded machine a new backend can take longer
  // than the production bound of 3 s to start, which these tests are not about.
  const db = createDb(url, { maxConnections: 60, connectionTimeoutMs: 30_000, ...options });
  return {
    name,
    url,
    db,
    drop: async () => {
      await db.destroy();
      await dropDatabase(adminUrl, name);
    },
  };
}
