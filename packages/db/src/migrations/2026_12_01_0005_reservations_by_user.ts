import { type Kysely, sql } from "kysely";

/**
 * `reservations.list` (docs/design.md, Procedures): a user's reservations, newest first, paged by
 * id.
 *
 * Frozen once landed: change the schema with a new, later-dated migration.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`CREATE INDEX reservations_user_id_id_idx ON reservations (user_id, id DESC)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP INDEX reservations_user_id_id_idx`.execute(db);
}
