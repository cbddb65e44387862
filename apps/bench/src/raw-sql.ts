// The ceilings: the very statements the server issues for each operation (compiled from
// @eventforge/db's own builders, so they cannot drift apart), sent straight through `pg` with
// nothing above them: no HTTP, tRPC, zod, superjson, Kysely executor or domain code.
import { createHash } from "node:crypto";
import {
  availabilityStatement,
  confirmStatement,
  type DB,
  holdStatement,
  insertSeatsStatement,
  type NewSeatRow,
} from "@eventforge/db";
import { HOLD_MINUTES } from "@eventforge/domain";
import {
  DummyDriver,
  Kysely,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  type RawBuilder,
} from "kysely";
import type pg from "pg";
import { BENCH_MAX_HOLDS_PER_SHOW } from "./environment.js";

/** Turns a builder into its SQL text and parameters; it never connects to anything. */
const compiler = new Kysely<DB>({
  dialect: {
    createAdapter: () => new PostgresAdapter(),
    createDriver: () => new DummyDriver(),
    createIntrospector: (db) => new PostgresIntrospector(db),
    createQueryCompiler: () => new PostgresQueryCompiler(),
  },
});

/** The SQL text and parameters the server sends for `statement`. */
export function compileStatement(statement: RawBuilder<unknown>): {
  sql: string;
  parameters: readonly unknown[];
} {
  return statement.compile(compiler);
}

/**
 * Sends a statement as the server's pool does: named, so each connection plans it once
 * (packages/db/src/create-db.ts). `prepared: false` sends it unnamed, planned on every call: the
 * ceiling as it was before the server prepared its statements.
 */
function send<R extends pg.QueryResultRow>(pool: pg.Pool, statement: RawBuilder<R>, prepared = true) {
  const { sql, parameters } = compileStatement(statement);
  if (!prepared) return pool.query<R>(sql, [...parameters]);
  const name = `bench_${createHash("sha256").update(sql).digest("base64url").slice(0, 24)}`;
  return pool.query<R>({ name, text: sql, values: [...parameters] });
}

/** One hold, as `holdSeat` runs it: one statement, one round trip. */
export async function rawHold(pool: pg.Pool, userId: number, seatId: number, prepared = true): Promise<void> {
  const hold = {
    seats: { seatIds: [seatId] },
    userId,
    actorUserId: userId,
    holdMinutes: HOLD_MINUTES.default,
    maxHoldsPerShow: BENCH_MAX_HOLDS_PER_SHOW,
  };
  const { rows } = await send(pool, holdStatement(hold), prepared);
  if (rows[0]?.id == null) throw new Error(`seat ${seatId} could not be held`);
}

/** One confirm by the reservation's owner, as `confirmReservation` runs it: one statement. */
export async function rawConfirm(pool: pg.Pool, reservationId: number, ownerId: number): Promise<void> {
  const { rows } = await send(pool, confirmStatement(reservationId, ownerId, ownerId));
  if (rows[0]?.status !== "CONFIRMED") throw new Error(`reservation ${reservationId} was not confirmed`);
}

/** The availability snapshot's one statement; returns the number of rows. */
export async function rawAvailability(pool: pg.Pool, showId: number): Promise<number> {
  const { rows } = await send(pool, availabilityStatement(showId));
  return rows.length;
}

/** One chunk of new seats in one statement, as `insertSeats` writes them; returns their ids. */
export async function rawInsertSeats(
  pool: pg.Pool,
  showId: number,
  seats: readonly NewSeatRow[],
): Promise<number[]> {
  const { rows } = await send(pool, insertSeatsStatement(showId, seats));
  return rows.map((row) => row.id);
}
