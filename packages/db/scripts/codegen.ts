// Regenerates src/generated/db.ts from a freshly migrated database (`pnpm db:codegen`);
// with --verify it only checks that the committed file is current.
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { createDatabase, dropDatabase } from "../src/admin.js";
import { createDb, migrateToLatest } from "../src/create-db.js";
import { startTestPostgres } from "../src/testing/provider.js";

const packageDir = fileURLToPath(new URL("..", import.meta.url));
const server = await startTestPostgres();
const database = `eventforge_codegen_${process.pid}`;
try {
  const url = await createDatabase(server.adminUrl, database);
  const db = createDb(url);
  await migrateToLatest(db);
  await db.destroy();
  execFileSync(
    "kysely-codegen",
    ["--config-file", ".kysely-codegenrc.json", "--url", url, ...process.argv.slice(2)],
    { cwd: packageDir, stdio: "inherit" },
  );
} finally {
  await dropDatabase(server.adminUrl, database);
  await server.stop();
}
