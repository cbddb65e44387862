import { type Kysely, sql } from "kysely";

// Frozen once landed: change the schema with a new, later-dated migration.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("users")
    .addColumn("id", "integer", (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("phone_number", "text", (c) => c.notNull())
    .addColumn("email", "text", (c) => c.notNull())
    .addColumn("password_hash", "text", (c) => c.notNull())
    .addColumn("role", "text", (c) => c.notNull().defaultTo("customer"))
    .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addCheckConstraint("users_role_check", sql`role IN ('customer', 'admin')`)
    .execute();
  // Email uniqueness is case-insensitive: Ann@x.io and ann@x.io are one account.
  await sql`CREATE UNIQUE INDEX users_email_lower_key ON users (lower(email))`.execute(db);

  await db.schema
    .createTable("shows")
    .addColumn("id", "integer", (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn("title", "text", (c) => c.notNull())
    .addColumn("venue", "text", (c) => c.notNull())
    .addColumn("starts_at", "timestamptz", (c) => c.notNull())
    .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex("shows_starts_at_idx").on("shows").columns(["starts_at", "id"]).execute();

  await db.schema
    .createTable("seats")
    .addColumn("id", "integer", (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn("show_id", "integer", (c) => c.notNull().references("shows.id").onDelete("cascade"))
    .addColumn("seat_number", "text", (c) => c.notNull())
    // Natural-order key (A2 before A10), computed by the domain when the seat is added;
    // "C" collation so PostgreSQL orders it byte-wise, the same on every machine.
    .addColumn("sort_key", sql`text COLLATE "C"`, (c) => c.notNull())
    .addUniqueConstraint("seats_show_id_seat_number_key", ["show_id", "seat_number"])
    // Target of the reservations (seat_id, show_id) foreign key below.
    .addUniqueConstraint("seats_id_show_id_key", ["id", "show_id"])
    .addCheckConstraint("seats_seat_number_length_check", sql`char_length(seat_number) BETWEEN 1 AND 32`)
    .execute();
  await db.schema
    .createIndex("seats_show_id_sort_key_idx")
    .on("seats")
    .columns(["show_id", "sort_key"])
    .execute();

  await db.schema
    .createTable("reservations")
    .addColumn("id", "integer", (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn("user_id", "integer", (c) => c.notNull().references("users.id"))
    .addColumn("seat_id", "integer", (c) => c.notNull())
    .addColumn("show_id", "integer", (c) => c.notNull())
    .addColumn("status", "text", (c) => c.notNull())
    .addColumn("hold_expiry", "timestamptz", (c) => c.notNull())
    .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn("updated_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    // A reservation's show is always its seat's show.
    .addForeignKeyConstraint("reservations_seat_id_show_id_fkey", ["seat_id", "show_id"], "seats", [
      "id",
      "show_id",
    ])
    .addCheckConstraint(
      "reservations_status_check",
      sql`status IN ('HELD', 'CONFIRMED', 'EXPIRED', 'CANCELLED')`,
    )
    .execute();
  // The guarantee: at most one active (HELD or CONFIRMED) reservation per seat.
  await sql`
    CREATE UNIQUE INDEX unique_active_reservation_per_seat
      ON reservations (seat_id) WHERE status IN ('HELD', 'CONFIRMED')
  `.execute(db);
  await db.schema.createIndex("reservations_user_id_idx").on("reservations").column("user_id").execute();
  // Serves a later expiry sweep: lapsed holds, oldest first.
  await sql`
    CREATE INDEX reservations_held_expiry_idx ON reservations (hold_expiry) WHERE status = 'HELD'
  `.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable("reservations").execute();
  await db.schema.dropTable("seats").execute();
  await db.schema.dropTable("shows").execute();
  await db.schema.dropTable("users").execute();
}
