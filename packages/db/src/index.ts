export { createDatabase, dropDatabase, ensureDatabase } from "./admin.js";
export {
  asRecoverableStatement,
  type CreateDbOptions,
  createDb,
  type Database,
  inTransaction,
  migrateToLatest,
  pingDatabase,
  poolConnections,
} from "./create-db.js";
export { DatabaseUnreachableError, isDeadlock, isForeignKeyViolation, isUniqueViolation } from "./errors.js";
export type * from "./generated/db.js";
export {
  createSeatChangeListener,
  SEAT_CHANGES_CHANNEL,
  type SeatChangeListener,
  type SeatChangeListenerOptions,
  type SeatChangeNotice,
} from "./listener.js";
export * from "./queries/index.js";
