import { randomBytes } from "node:crypto";
import pg from "pg";
import { inject } from "vitest";
import { type CreateDbOptions, createDb, type Database } from "../create-db.js";
import "./provided-context.js";
import { databaseUrl } from "./urls.js";

export { startTestPostgres, type TestPostgres } from "./provider.js";
export { databaseUrl } from "./urls.js";

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
  await withAdmin(adminUrl, async (admin) => {
    // Clones of one template can collide while another clone is being copied; retry briefly.
    for (let attempt = 0; ; attempt++) {
      try {
        await admin.query(`CREATE DATABASE ${name} TEMPLATE ${templateDatabase}`);
        return;
      } catch (error) {
        if (attempt >= 20 || !String(error).includes("is being accessed by other users")) throw error;
        await new Promise((r) => setTimeout(r, 100 + Math.random() * 200));
      }
    }
  });
  const url = databaseUrl(adminUrl, name);
  const db = createDb(url, { maxConnections: 60, ...options });
  return {
    name,
    url,
    db,
    drop: async () => {
      await db.destroy();
      await withAdmin(adminUrl, (admin) => admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
    },
  };
}

async function withAdmin<T>(adminUrl: string, work: (admin: pg.Client) => Promise<T>): Promise<T> {
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    return await work(admin);
  } finally {
    await admin.end();
  }
}
