import { type Kysely, sql } from "kysely";

/**
 * Idempotency keys (docs/design.md, Idempotency keys): one row per (user, key) whose request has
 * finished, written in the transaction of the request's effect, with what the first request
 * answered. A request in flight has no row yet: it holds a transaction-scoped advisory lock on its
 * (user, key) instead, so a repeat meanwhile is refused (409) rather than made to wait.
 *
 * `request_hash` identifies the request (the operation and its input), `outcome` says whether the
 * answer was a result or a domain error, and `response` is that answer as superjson text (text, not
 * jsonb: a replay must serialize byte for byte as the first answer did, and jsonb reorders keys).
 *
 * Frozen once landed: change the schema with a new, later-dated migration.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE TABLE idempotency_keys (
      user_id integer NOT NULL REFERENCES users (id) ON DELETE CASCADE,
      key text NOT NULL CHECK (length(key) BETWEEN 1 AND 255),
      operation text NOT NULL,
      request_hash text NOT NULL,
      outcome text NOT NULL CHECK (outcome IN ('result', 'error')),
      response text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT statement_timestamp(),
      expires_at timestamptz NOT NULL,
      PRIMARY KEY (user_id, key),
      CHECK (expires_at > created_at)
    )
  `.execute(db);
  // The purge deletes expired keys oldest first.
  await sql`CREATE INDEX idempotency_keys_expires_at_idx ON idempotency_keys (expires_at)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP TABLE idempotency_keys`.execute(db);
}
