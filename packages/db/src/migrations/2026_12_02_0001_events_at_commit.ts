import { type Kysely, sql } from "kysely";

/**
 * Cheaper writes on the hot path (issue 15), with the same guarantees:
 *
 * - The event triggers become deferred constraint triggers: each transition still writes its one
 *   `reservation_events` row and its NOTIFY in the transaction that makes it, but at commit rather
 *   than at the end of its statement. The per-show advisory lock that orders a show's event ids by
 *   commit is taken there too, so it is held only while the transaction commits. Before, a
 *   transaction that went on after its hold or confirm (an idempotent request records its answer,
 *   then commits: two more round trips) kept every other transition of the show waiting meanwhile.
 *   The function is unchanged (migration 2026_12_01_0001); a trigger event keeps the row version
 *   of its statement, so a hold confirmed in the same transaction still gives HELD, then CONFIRMED.
 * - `reservations_user_id_idx` (user_id) goes: `reservations_user_id_id_idx` (user_id, id DESC,
 *   migration 0005) serves every look-up it served, and each new hold paid for both.
 *
 * Frozen once landed: change the schema with a new, later-dated migration.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`DROP TRIGGER reservations_record_creation ON reservations`.execute(db);
  await sql`DROP TRIGGER reservations_record_transition ON reservations`.execute(db);
  await sql`
    CREATE CONSTRAINT TRIGGER reservations_record_creation
      AFTER INSERT ON reservations
      DEFERRABLE INITIALLY DEFERRED
      FOR EACH ROW EXECUTE FUNCTION record_reservation_event()
  `.execute(db);
  await sql`
    CREATE CONSTRAINT TRIGGER reservations_record_transition
      AFTER UPDATE OF status ON reservations
      DEFERRABLE INITIALLY DEFERRED
      FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status)
      EXECUTE FUNCTION record_reservation_event()
  `.execute(db);
  await sql`DROP INDEX reservations_user_id_idx`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`CREATE INDEX reservations_user_id_idx ON reservations (user_id)`.execute(db);
  await sql`DROP TRIGGER reservations_record_transition ON reservations`.execute(db);
  await sql`DROP TRIGGER reservations_record_creation ON reservations`.execute(db);
  await sql`
    CREATE TRIGGER reservations_record_creation
      AFTER INSERT ON reservations
      FOR EACH ROW EXECUTE FUNCTION record_reservation_event()
  `.execute(db);
  await sql`
    CREATE TRIGGER reservations_record_transition
      AFTER UPDATE OF status ON reservations
      FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status)
      EXECUTE FUNCTION record_reservation_event()
  `.execute(db);
}
