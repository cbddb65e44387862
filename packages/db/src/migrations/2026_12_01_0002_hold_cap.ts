import { type Kysely, sql } from "kysely";

/**
 * The hold cap per user and show (docs/design.md), decided by the database: each active hold occupies
 * one numbered slot of its user and show, and a partial unique index lets one hold only per slot.
 * A hold takes a free slot from 1..cap in the statement that inserts it, so concurrent holds by
 * one user (on any number of server instances) can never leave more than the cap: two racing for
 * the last slot collide on the index and the loser finds none free. A hold made while the cap was
 * off has no slot (NULL never collides).
 *
 * Frozen once landed: change the schema with a new, later-dated migration.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    ALTER TABLE reservations
      ADD COLUMN hold_slot smallint CONSTRAINT reservations_hold_slot_check CHECK (hold_slot > 0)
  `.execute(db);
  // Holds made before the cap existed take slots in the order they were made (1000: the highest cap).
  await sql`
    UPDATE reservations r SET hold_slot = numbered.slot
    FROM (
      SELECT id, row_number() OVER (PARTITION BY user_id, show_id ORDER BY id) AS slot
      FROM reservations WHERE status = 'HELD'
    ) numbered
    WHERE r.id = numbered.id AND numbered.slot <= 1000
  `.execute(db);
  await sql`
    CREATE UNIQUE INDEX reservations_hold_slot_per_user_show
      ON reservations (user_id, show_id, hold_slot) WHERE status = 'HELD'
  `.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP INDEX reservations_hold_slot_per_user_show`.execute(db);
  await sql`ALTER TABLE reservations DROP COLUMN hold_slot`.execute(db);
}
