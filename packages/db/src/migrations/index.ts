import type { Migration, MigrationProvider } from "kysely";
import * as initialSchema from "./2026_11_24_0001_initial_schema.js";

// Listed explicitly (not read from disk) so migrations work the same under tsx, vitest and a bundle.
const migrations: Record<string, Migration> = {
  "2026_11_24_0001_initial_schema": initialSchema,
};

export const migrationProvider: MigrationProvider = {
  getMigrations: async () => migrations,
};
