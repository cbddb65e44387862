import { Kysely, Migrator, PostgresDialect, sql, type Transaction } from "kysely";
import pg from "pg";
import type { DB } from "./generated/db.js";
import { migrationProvider } from "./migrations/index.js";

export type Database = Kysely<DB>;

export interface CreateDbOptions {
  /** Pool size; PostgreSQL does the work, so a few connections per core is plenty. */
  maxConnections?: number;
  /** Milliseconds to wait for a free connection before failing the request. */
  connectionTimeoutMs?: number;
  /** Milliseconds any one statement may run before PostgreSQL cancels it. */
  statementTimeoutMs?: number;
}

/**
 * Runs `work` as one unit: in the caller's transaction when `db` is one (so a caller can put an
 * idempotency record or several operations in one transaction with it), else in a new one.
 */
export function inTransaction<T>(db: Database, work: (tx: Transaction<DB>) => Promise<T>): Promise<T> {
  return db.isTransaction ? work(db as Transaction<DB>) : db.transaction().execute(work);
}

/**
 * Runs one statement that may fail on purpose (a lost race that the caller retries) so that the
 * failure leaves the caller's transaction usable: inside a transaction it runs under a savepoint
 * that is rolled back on failure; outside one the statement is atomic on its own.
 */
export async function asRecoverableStatement<T>(
  db: Database,
  work: (db: Database) => Promise<T>,
): Promise<T> {
  if (!db.isTransaction) return work(db);
  await sql`SAVEPOINT recoverable_statement`.execute(db);
  try {
    const result = await work(db);
    await sql`RELEASE SAVEPOINT recoverable_statement`.execute(db);
    return result;
  } catch (error) {
    await sql`ROLLBACK TO SAVEPOINT recoverable_statement`.execute(db);
    throw error;
  }
}

/** One pg Pool wrapped in Kysely. The caller owns it and must `destroy()` it. */
export function createDb(connectionString: string, options: CreateDbOptions = {}): Database {
  const pool = new pg.Pool({
    connectionString,
    max: options.maxConnections ?? 10,
    connectionTimeoutMillis: options.connectionTimeoutMs ?? 5_000,
    statement_timeout: options.statementTimeoutMs ?? 10_000,
    // A transaction left open by a crashed request must not hold row locks forever.
    idle_in_transaction_session_timeout: 30_000,
    idleTimeoutMillis: 30_000,
    types: { getTypeParser },
  });
  // An idle client can lose its connection (server restart); pg emits that on the pool, and an
  // unhandled 'error' event would kill the process. The next query simply gets a new client.
  pool.on("error", () => {});
  return new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
}

const INT8_OID = 20;

/**
 * bigint columns (reservation and event ids, count(*)) arrive as JavaScript numbers, as the wire
 * and the generated types say; a value past 2^53 would lose digits, so it fails loudly instead.
 */
const getTypeParser: typeof pg.types.getTypeParser = ((oid: number, format?: "text" | "binary") => {
  if (oid === INT8_OID && format !== "binary") return parseInt8;
  return pg.types.getTypeParser(oid, format);
}) as typeof pg.types.getTypeParser;

function parseInt8(text: string): number {
  const value = Number(text);
  if (!Number.isSafeInteger(value))
    throw new RangeError(`bigint ${text} is beyond JavaScript's safe integers`);
  return value;
}

/** Applies every pending migration; throws with the failing migration's name. */
export async function migrateToLatest(db: Kysely<any>): Promise<void> {
  const migrator = new Migrator({ db, provider: migrationProvider });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === "Error");
    throw new Error(`migration ${failed?.migrationName ?? "(unknown)"} failed: ${String(error)}`, {
      cause: error,
    });
  }
}
