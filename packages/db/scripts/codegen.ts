// Regenerates src/generated/db.ts from a freshly migrated database (`pnpm db:codegen`);
// with --verify it only checks that the committed file is current.
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { createDb, migrateToLatest } from "../src/create-db.js";
import { databaseUrl, startTestPostgres } from "../src/testing/provider.js";

const packageDir = fileURLToPath(new URL("..", import.meta.url));
const server = await startTestPostgres();
const database = `eventforge_codegen_${process.pid}`;
const admin = new pg.Client({ connectionString: server.adminUrl });
await admin.connect();
try {
  await admin.query(`CREATE DATABASE ${database}`);
  const url = databaseUrl(server.adminUrl, database);
  const db = createDb(url);
  await migrateToLatest(db);
  await db.destroy();
  execFileSync(
    "kysely-codegen",
    ["--config-file", ".kysely-codegenrc.json", "--url", url, ...process.argv.slice(2)],
    { cwd: packageDir, stdio: "inherit" },
  );
} finally {
  await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
  await admin.end();
  await server.stop();
}
