// Fixtures for tests of this and the outer packages: real rows through the real services.
import { randomBytes } from "node:crypto";
import type { Database } from "@eventforge/db";
import { sql } from "kysely";
import { addSeats } from "./seats.js";
import { createShow } from "./shows.js";
import type { Actor, Role, Seat, Show, User } from "./types.js";
import { createUser } from "./users.js";

export const TEST_PASSWORD = "correct horse battery";

export async function seedUser(db: Database, role: Role = "customer", name = "Test User"): Promise<User> {
  const email = `${name.toLowerCase().replace(/\W+/gu, ".")}.${randomBytes(4).toString("hex")}@example.com`;
  return createUser(db, { name, phone_number: "+1 555 0100", email, password: TEST_PASSWORD }, role);
}

/** The usual cast: an admin and two customers. */
export async function seedCast(db: Database): Promise<{ admin: User; alice: User; bob: User }> {
  const [admin, alice, bob] = await Promise.all([
    seedUser(db, "admin", "Admin"),
    seedUser(db, "customer", "Alice"),
    seedUser(db, "customer", "Bob"),
  ]);
  return { admin, alice, bob };
}

export async function seedUsers(db: Database, count: number): Promise<User[]> {
  return Promise.all(Array.from({ length: count }, (_, i) => seedUser(db, "customer", `Racer ${i}`)));
}

export const actorOf = (user: User): Actor => ({ userId: user.id, role: user.role });

/** The usual cast, and each of them as the actor a service is called by. */
export async function seedCastWithActors(db: Database) {
  const cast = await seedCast(db);
  return { ...cast, asAdmin: actorOf(cast.admin), asAlice: actorOf(cast.alice), asBob: actorOf(cast.bob) };
}

/** A show starting `startsInMinutes` from now (database time) with these seat labels. */
export async function seedShow(
  db: Database,
  labels: readonly string[] = ["A1", "A2", "A3"],
  startsInMinutes = 24 * 60,
): Promise<{ show: Show; seats: Seat[] }> {
  const { rows } = await sql<{
    t: Date;
  }>`SELECT statement_timestamp() + make_interval(mins => ${startsInMinutes}) AS t`.execute(db);
  const startsAt = rows[0]?.t ?? new Date(Date.now() + startsInMinutes * 60_000);
  const show = await createShow(db, { title: "Test Show", venue: "Test Hall", starts_at: startsAt });
  const { seats } =
    labels.length > 0 ? await addSeats(db, { show_id: show.id, seat_numbers: labels }) : { seats: [] };
  return { show, seats };
}

/**
 * Moves a hold's expiry to `offsetMs` from database time (negative: already lapsed), and its
 * creation with it, as if it had been made that much earlier or later: the schema refuses a hold
 * that expires before it was created.
 */
export async function setHoldExpiry(db: Database, reservationId: number, offsetMs: number): Promise<Date> {
  const { rows } = await sql<{ hold_expiry: Date }>`
    WITH moved AS (
      SELECT id, statement_timestamp() + make_interval(secs => ${offsetMs / 1000}) - hold_expiry AS shift
      FROM reservations WHERE id = ${reservationId}
    )
    UPDATE reservations r
    SET hold_expiry = r.hold_expiry + moved.shift, created_at = r.created_at + moved.shift,
        updated_at = greatest(r.updated_at, r.created_at + moved.shift)
    FROM moved WHERE r.id = moved.id
    RETURNING r.hold_expiry
  `.execute(db);
  const expiry = rows[0]?.hold_expiry;
  if (!expiry) throw new Error(`no reservation ${reservationId}`);
  return expiry;
}

/** The stored row, bypassing every service rule. */
export async function storedReservation(db: Database, reservationId: number) {
  return db.selectFrom("reservations").selectAll().where("id", "=", reservationId).executeTakeFirstOrThrow();
}

/**
 * A promise and the function that resolves it: one step of concurrent work waits for another
 * (Promise.withResolvers, which Node 20 lacks).
 */
export function deferred<T = void>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((settle) => {
    resolve = settle;
  });
  return { promise, resolve };
}

/** The PostgreSQL backend that runs `db`'s statements (inside a transaction: that transaction's). */
export async function backendPid(db: Database): Promise<number> {
  const { rows } = await sql<{ pid: number }>`SELECT pg_backend_pid() AS pid`.execute(db);
  const pid = rows[0]?.pid;
  if (pid === undefined) throw new Error("no backend pid");
  return pid;
}

/**
 * Resolves once some backend waits for a lock that backend `blockerPid` holds: the moment a
 * concurrent statement is known to be queued behind it, with no guess at how long that takes.
 */
export async function waitUntilBlockedBy(db: Database, blockerPid: number): Promise<void> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const { rows } = await sql<{ waiting: boolean }>`
      SELECT EXISTS (SELECT 1 FROM pg_stat_activity WHERE ${blockerPid} = ANY (pg_blocking_pids(pid))) AS waiting
    `.execute(db);
    if (rows[0]?.waiting) return;
    if (Date.now() > deadline) throw new Error(`no backend waited for backend ${blockerPid} within 20 s`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Settles a list of promises and splits them into values and errors. */
export async function settle<T>(promises: Promise<T>[]): Promise<{ ok: T[]; failed: unknown[] }> {
  const results = await Promise.allSettled(promises);
  return {
    ok: results.flatMap((r) => (r.status === "fulfilled" ? [r.value] : [])),
    failed: results.flatMap((r) => (r.status === "rejected" ? [r.reason] : [])),
  };
}
