import { randomBytes } from "node:crypto";
import type { TestProject } from "vitest/node";
import { createDatabase, dropDatabase, withAdminClient } from "../admin.js";
import { createDb, migrateToLatest } from "../create-db.js";
import { startTestPostgres } from "./provider.js";
import "./provided-context.js";

/**
 * Vitest global setup: one PostgreSQL for the whole run and one migrated template database.
 * Every test file then clones the template into a database of its own (see createTestDatabase).
 */
export default async function setup(project: TestProject) {
  const server = await startTestPostgres();
  const templateDatabase = `eventforge_template_${randomBytes(4).toString("hex")}`;
  const db = createDb(await createDatabase(server.adminUrl, templateDatabase));
  try {
    await migrateToLatest(db);
  } finally {
    await db.destroy();
  }
  const version = await withAdminClient(server.adminUrl, async (admin) => {
    const { rows } = await admin.query<{ server_version: string }>("SHOW server_version");
    return rows[0]?.server_version;
  });
  const location = server.location ? ` (${server.location})` : "";
  console.log(
    `integration tests: PostgreSQL ${version} from ${server.source}${location}, template ${templateDatabase}`,
  );
  project.provide("eventforgePostgres", {
    adminUrl: server.adminUrl,
    templateDatabase,
    source: server.source,
  });

  return async () => {
    await dropDatabase(server.adminUrl, templateDatabase);
    await server.stop();
  };
}
