import { type Kysely, sql } from "kysely";

/**
 * Reservations get a history (docs/design.md: Data model, Events, Live availability): one
 * `reservation_events` row per state change, written by a trigger in the statement that makes the
 * change, so no code path can forget it; every event is announced with NOTIFY seat_changes on
 * commit. Also: bigint reservation ids, and checks that refuse rows no operation can produce.
 *
 * Frozen once landed: change the schema with a new, later-dated migration.
 */

/** First key of the two-key advisory lock that orders one show's events (the second is show_id). */
const SHOW_EVENTS_LOCK_CLASS = 7_301;

export async function up(db: Kysely<any>): Promise<void> {
  // An on-sale creates many holds per seat sold. (An identity column's sequence follows its type.)
  await sql`ALTER TABLE reservations ALTER COLUMN id TYPE bigint`.execute(db);

  await sql`
    ALTER TABLE reservations
      -- Who made the latest transition (NULL: the system). Read by the event trigger below.
      ADD COLUMN actor_user_id integer REFERENCES users (id),
      ADD CONSTRAINT reservations_hold_expiry_check
        CHECK (hold_expiry > created_at AND hold_expiry <= created_at + interval '20 minutes'),
      ADD CONSTRAINT reservations_updated_at_check CHECK (updated_at >= created_at)
  `.execute(db);

  await sql`
    CREATE TABLE reservation_events (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      reservation_id bigint NOT NULL REFERENCES reservations (id),
      show_id integer NOT NULL,
      seat_id integer NOT NULL,
      user_id integer NOT NULL,
      status text NOT NULL
        CONSTRAINT reservation_events_status_check CHECK (status IN ('HELD', 'CONFIRMED', 'EXPIRED', 'CANCELLED')),
      actor_user_id integer,
      at timestamptz NOT NULL
    )
  `.execute(db);
  // A show's live feed, resumed after an event id; a reservation's history, oldest first.
  await sql`CREATE INDEX reservation_events_show_id_id_idx ON reservation_events (show_id, id)`.execute(db);
  await sql`CREATE INDEX reservation_events_reservation_id_id_idx ON reservation_events (reservation_id, id)`.execute(
    db,
  );

  // The events are the audit trail: never updated nor deleted.
  await sql`
    CREATE FUNCTION refuse_reservation_event_change() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      RAISE EXCEPTION 'reservation_events is append-only' USING ERRCODE = 'restrict_violation';
    END $$
  `.execute(db);
  await sql`
    CREATE TRIGGER reservation_events_append_only
      BEFORE UPDATE OR DELETE ON reservation_events
      FOR EACH ROW EXECUTE FUNCTION refuse_reservation_event_change()
  `.execute(db);
  await sql`
    CREATE TRIGGER reservation_events_no_truncate
      BEFORE TRUNCATE ON reservation_events
      FOR EACH STATEMENT EXECUTE FUNCTION refuse_reservation_event_change()
  `.execute(db);

  // One event per transition. The per-show advisory lock, held until commit, makes a show's event
  // ids increase in commit order: a reader that has seen event N of a show has seen every earlier
  // one, so "everything after N" (a snapshot's last_event_id, a watcher's Last-Event-ID) has no
  // gap. An expiry is always the system's doing, whoever's statement noticed it.
  await sql`
    CREATE FUNCTION record_reservation_event() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE
      event_id bigint;
    BEGIN
      PERFORM pg_advisory_xact_lock(${sql.lit(SHOW_EVENTS_LOCK_CLASS)}, NEW.show_id);
      INSERT INTO reservation_events (reservation_id, show_id, seat_id, user_id, status, actor_user_id, at)
      VALUES (NEW.id, NEW.show_id, NEW.seat_id, NEW.user_id, NEW.status,
              CASE WHEN NEW.status = 'EXPIRED' THEN NULL ELSE NEW.actor_user_id END, NEW.updated_at)
      RETURNING id INTO event_id;
      PERFORM pg_notify('seat_changes', json_build_object('show_id', NEW.show_id, 'event_id', event_id)::text);
      RETURN NULL;
    END $$
  `.execute(db);
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

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP TRIGGER reservations_record_transition ON reservations`.execute(db);
  await sql`DROP TRIGGER reservations_record_creation ON reservations`.execute(db);
  await sql`DROP FUNCTION record_reservation_event()`.execute(db);
  await sql`DROP TABLE reservation_events`.execute(db);
  await sql`DROP FUNCTION refuse_reservation_event_change()`.execute(db);
  await sql`
    ALTER TABLE reservations
      DROP CONSTRAINT reservations_updated_at_check,
      DROP CONSTRAINT reservations_hold_expiry_check,
      DROP COLUMN actor_user_id
  `.execute(db);
  await sql`ALTER TABLE reservations ALTER COLUMN id TYPE integer`.execute(db);
}
