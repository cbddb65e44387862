import { type Kysely, sql } from "kysely";

/**
 * Rate limits shared by every server instance (docs/design.md, Abuse limits):
 * rate-limiter-flexible's PostgreSQL store keeps one row per limited key here. The columns are the
 * ones that store reads and writes (`expire` in epoch milliseconds; NULL never expires); it is told
 * the table exists, so it never creates tables at run time.
 *
 * Frozen once landed: change the schema with a new, later-dated migration.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE TABLE rate_limits (
      key varchar(255) PRIMARY KEY,
      points integer NOT NULL DEFAULT 0,
      expire bigint
    )
  `.execute(db);
  // The store deletes long-expired rows every few minutes.
  await sql`CREATE INDEX rate_limits_expire_idx ON rate_limits (expire)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP TABLE rate_limits`.execute(db);
}
