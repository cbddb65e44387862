export { createDatabase, dropDatabase, ensureDatabase } from "./admin.js";
export {
  type CreateDbOptions,
  createDb,
  type Database,
  inTransaction,
  migrateToLatest,
} from "./create-db.js";
export { isForeignKeyViolation, isUniqueViolation } from "./errors.js";
export type * from "./generated/db.js";
export * from "./queries/index.js";
