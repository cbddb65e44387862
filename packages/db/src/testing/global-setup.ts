import { randomBytes } from "node:crypto";
import pg from "pg";
import type { TestProject } from "vitest/node";
import { createDb, migrateToLatest } from "../create-db.js";
import { startTestPostgres } from "./provider.js";
import "./provided-context.js";
import { databaseUrl } from "./urls.js";

/**
 * Vitest global setup: one PostgreSQL for the whole run and one migrated template database.
 * Every test file then clones the template into a database of its own (see createTestDatabase).
 */
export default async function setup(project: TestProject) {
  const server = await startTestPostgres();
  const templateDatabase = `eventforge_template_${randomBytes(4).toString("hex")}`;
  const admin = new pg.Client({ connectionString: server.adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${templateDatabase}`);
  const db = createDb(databaseUrl(server.adminUrl, templateDatabase));
  try {
    await migrateToLatest(db);
  } finally {
    await db.destroy();
  }
  const { rows } = await admin.query<{ server_version: string }>("SHOW server_version");
  console.log(
    `integration tests: PostgreSQL ${rows[0]?.server_version} from ${server.source}, template ${templateDatabase}`,
  );
  project.provide("eventforgePostgres", {
    adminUrl: server.adminUrl,
    templateDatabase,
    source: server.source,
  });

  return async () => {
    await admin.query(`DROP DATABASE IF EXISTS ${templateDatabase} WITH (FORCE)`);
    await admin.end();
    await server.stop();
  };
}
