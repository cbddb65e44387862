function isPgError(error: unknown, sqlState: string, constraint: string | undefined): boolean {
  if (typeof error !== "object" || error === null) return false;
  const e = error as { code?: unknown; constraint?: unknown };
  return e.code === sqlState && (constraint === undefined || e.constraint === constraint);
}

/** PostgreSQL SQLSTATE 23505, optionally for one named constraint or index. */
export const isUniqueViolation = (error: unknown, constraint?: string) =>
  isPgError(error, "23505", constraint);

/** PostgreSQL SQLSTATE 23503 for the named foreign key. */
export const isForeignKeyViolation = (error: unknown, constraint: string) =>
  isPgError(error, "23503", constraint);

/** PostgreSQL SQLSTATE 40P01: this transaction was chosen to break a deadlock. */
export const isDeadlock = (error: unknown) => isPgError(error, "40P01", undefined);
/**
 * The database could not be reached, or stopped answering: no connection in time, a connection
 * lost, no answer within the query timeout. These are what pg reports without a SQLSTATE; the api
 * package answers them (and the connection SQLSTATEs) with 503 DATABASE_UNAVAILABLE.
 */
export class DatabaseUnreachableError extends Error {
  constructor(what: string, cause?: unknown) {
    super(cause instanceof Error ? `${what}: ${cause.message}` : what, { cause });
    this.name = "DatabaseUnreachableError";
  }
}
