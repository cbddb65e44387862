import { createHash } from "node:crypto";
import {
  Kysely,
  Migrator,
  PostgresDialect,
  type PostgresPool,
  type PostgresPoolClient,
  sql,
  type Transaction,
} from "kysely";
import pg from "pg";
import { DatabaseUnreachableError } from "./errors.js";
import type { DB } from "./generated/db.js";
import { migrationProvider } from "./migrations/index.js";

export type Database = Kysely<DB>;

export interface CreateDbOptions {
  /** Pool size; PostgreSQL does the work, so a few connections per core is plenty. */
  maxConnections?: number;
  /** Milliseconds to wait for a connection (a free one, or a new one to connect) before giving up. */
  connectionTimeoutMs?: number;
  /** Milliseconds any one statement may run before PostgreSQL cancels it. */
  statementTimeoutMs?: number;
  /**
   * Milliseconds to wait for PostgreSQL's answer to a statement before the connection is given up
   * as dead (a stalled network, a half-open socket): a little more than `statementTimeoutMs`, so
   * that a server that still answers cancels its own statement first.
   */
  queryTimeoutMs?: number;
  /** Told about every pooled connection that fails (logging); the pool replaces it by itself. */
  onConnectionError?: (error: Error) => void;
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

/**
 * One pg Pool wrapped in Kysely. The caller owns it and must `destroy()` it.
 *
 * The pool survives the database (docs/design.md, Running: Faults): a connection that fails, idle
 * or checked out, is discarded and replaced, never fatal; one that goes silent is given up after
 * `queryTimeoutMs` (and TCP keepalive finds idle ones whose peer vanished). Whatever pg reports
 * without a SQLSTATE for these (no connection in time, no answer, connection lost) surfaces as
 * DatabaseUnreachableError.
 */
export function createDb(connectionString: string, options: CreateDbOptions = {}): Database {
  const statementTimeoutMs = options.statementTimeoutMs ?? 4_000;
  const onConnectionError = options.onConnectionError ?? (() => {});
  const pool = new pg.Pool({
    connectionString,
    max: options.maxConnections ?? 10,
    connectionTimeoutMillis: options.connectionTimeoutMs ?? 3_000,
    statement_timeout: statementTimeoutMs,
    // A transaction left open by a crashed request must not hold row locks forever.
    idle_in_transaction_session_timeout: 30_000,
    idleTimeoutMillis: 30_000,
    keepAlive: true,
    keepAliveInitialDelayMillis: 10_000,
    types: { getTypeParser },
  });
  // pg emits a lost connection as an 'error' event: on the pool for an idle client, on the client
  // itself while it is checked out. Unhandled, either would end the process.
  pool.on("error", (error) => onConnectionError(error));
  pool.on("connect", (client) => {
    client.on("error", (error) => {
      if (!lostConnections.has(client)) lostConnections.set(client, error);
    });
  });
  const guarded = new GuardedPool(
    pool,
    options.queryTimeoutMs ?? statementTimeoutMs + 500,
    onConnectionError,
  );
  const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool: guarded }) });
  pools.set(db, pool);
  return db;
}

const pools = new WeakMap<Database, pg.Pool>();

/** The pool's connections by state (waiting: callers queued for one), for the metrics. */
export function poolConnections(db: Database): { idle: number; busy: number; waiting: number } {
  const pool = pools.get(db);
  if (!pool) throw new Error("poolConnections: not a database made by createDb");
  return { idle: pool.idleCount, busy: pool.totalCount - pool.idleCount, waiting: pool.waitingCount };
}

/** Clients whose connection failed, with the first error: they are discarded when released. */
const lostConnections = new WeakMap<pg.PoolClient, Error>();

class GuardedPool implements PostgresPool {
  readonly #clients = new WeakMap<pg.PoolClient, GuardedClient>();

  constructor(
    private readonly pool: pg.Pool,
    private readonly queryTimeoutMs: number,
    private readonly onConnectionError: (error: Error) => void,
  ) {}

  async connect(): Promise<PostgresPoolClient> {
    let client: pg.PoolClient;
    try {
      client = await this.pool.connect();
    } catch (cause) {
      // Nothing has run yet: whatever went wrong, there is no database to talk to right now.
      throw new DatabaseUnreachableError("no database connection", cause);
    }
    let wrapper = this.#clients.get(client);
    if (!wrapper) {
      wrapper = new GuardedClient(client, this.queryTimeoutMs, this.onConnectionError);
      this.#clients.set(client, wrapper);
    }
    return wrapper;
  }

  end(): Promise<void> {
    return this.pool.end();
  }
}

class GuardedClient implements PostgresPoolClient {
  readonly #prepared = new PreparedStatements();

  constructor(
    private readonly client: pg.PoolClient,
    private readonly queryTimeoutMs: number,
    private readonly onConnectionError: (error: Error) => void,
  ) {}

  query<R>(sql: string, parameters: ReadonlyArray<unknown>): Promise<pg.QueryResult<R & pg.QueryResultRow>>;
  query<R>(cursor: never): R;
  query(sqlOrCursor: unknown, parameters?: ReadonlyArray<unknown>): unknown {
    const client = this.client;
    // Streaming (pg-cursor) is not used by EventForge; hand it through unchanged.
    if (typeof sqlOrCursor !== "string") return client.query(sqlOrCursor as never);
    const lost = lostConnections.get(client);
    if (lost) return Promise.reject(new DatabaseUnreachableError("database connection lost", lost));
    return new Promise((resolve, reject) => {
      // pg's own query_timeout leaves the silent connection in use; this one discards it.
      const timer = setTimeout(() => {
        const error = new DatabaseUnreachableError(
          `no answer from the database in ${this.queryTimeoutMs} ms`,
        );
        lostConnections.set(client, error);
        this.onConnectionError(error);
        reject(error);
      }, this.queryTimeoutMs);
      client.query(this.#prepared.config(sqlOrCursor, parameters as unknown[])).then(
        (result) => {
          clearTimeout(timer);
          resolve(result);
        },
        (error: unknown) => {
          clearTimeout(timer);
          this.#prepared.failed(sqlOrCursor, error);
          // The connection failed under this query (pg rejects it with the socket's own error).
          const lost = lostConnections.has(client);
          reject(lost ? new DatabaseUnreachableError("database connection lost", error) : error);
        },
      );
    });
  }

  release(destroy?: boolean): void {
    const lost = lostConnections.get(this.client);
    if (lost) {
      lostConnections.delete(this.client);
      // Destroys the socket: a stalled connection cannot be ended politely.
      this.client.release(lost);
      return;
    }
    this.client.release(destroy);
  }
}

/** Statements that PostgreSQL can keep prepared (not BEGIN, SAVEPOINT, SET and the like). */
const PREPARABLE = /^\s*(?:WITH|SELECT|INSERT|UPDATE|DELETE)\b/iu;
/** Bounds what one connection keeps prepared; statements past it run unnamed, as before. */
const MAX_PREPARED_PER_CONNECTION = 200;
/** Text → statement name, shared by all connections (the same text gets the same name everywhere). */
const statementNames = new Map<string, string>();

/**
 * Sends each statement as a named (prepared) one, so that PostgreSQL parses and plans it once per
 * connection rather than on every call: for the hold, planning cost more than running it. Kysely
 * has no switch for this and pg prepares only what is named, so the connection names statements by
 * a hash of their text. A new connection (after a reconnect) prepares afresh; a statement whose
 * prepared plan PostgreSQL refuses after a schema change ("cached plan must not change result
 * type") runs unnamed on that connection from then on.
 */
class PreparedStatements {
  readonly #named = new Set<string>();
  readonly #unnamed = new Set<string>();

  config(text: string, values: unknown[]): pg.QueryConfig {
    const name = this.#nameOf(text);
    return name ? { name, text, values } : { text, values };
  }

  failed(text: string, error: unknown): void {
    if ((error as { code?: string }).code === "0A000" && this.#named.has(this.#nameOf(text) ?? "")) {
      this.#unnamed.add(text);
    }
  }

  #nameOf(text: string): string | undefined {
    if (this.#unnamed.has(text) || !PREPARABLE.test(text)) return undefined;
    let name = statementNames.get(text);
    if (!name) {
      name = `ef_${createHash("sha256").update(text).digest("base64url").slice(0, 24)}`;
      // Query texts are few (the builders' shapes); the bound only guards against a caller that
      // builds unbounded variants.
      if (statementNames.size >= 10_000) statementNames.clear();
      statementNames.set(text, name);
    }
    if (!this.#named.has(name)) {
      if (this.#named.size >= MAX_PREPARED_PER_CONNECTION) return undefined;
      this.#named.add(name);
    }
    return name;
  }
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

/** `SELECT 1`: resolves when the database answers (readiness checks). */
export async function pingDatabase(db: Database): Promise<void> {
  await sql`SELECT 1`.execute(db);
}
