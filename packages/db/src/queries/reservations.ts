import { CompiledQuery, type Kysely, type RawBuilder, type Selectable, sql } from "kysely";
import type { DB, Reservations } from "../generated/db.js";
import { dbNow, holdHasLapsed, holdIsLive } from "./hold-state.js";

export type ReservationRow = Omit<Selectable<Reservations>, "actor_user_id" | "hold_slot">;
export type ReservationStatus = ReservationRow["status"];

/** The columns of a reservation on the wire (not who acted last, nor its cap slot). */
const RESERVATION_COLUMNS = sql.raw(
  "id, user_id, seat_id, show_id, status, hold_expiry, created_at, updated_at",
);

/** 1–10 seats, by id or by show and (normalized, distinct) label. */
export type SeatsRef = { seatIds: readonly number[] } | { showId: number; seatNumbers: readonly string[] };

export interface HoldRequest {
  seats: SeatsRef;
  /** Whose holds they are. */
  userId: number;
  /** Who asks: the user, or an admin holding for them. */
  actorUserId: number;
  holdMinutes: number;
  /** Active holds `userId` may have on the show; 0 = no cap. */
  maxHoldsPerShow: number;
}

/** One row per requested seat that exists. */
export interface HoldStatementRow {
  seat_id: number;
  seat_number: string;
  seat_show_id: number;
  show_started: boolean;
  /** False when the new holds would take the user past the cap (nothing is inserted then). */
  within_cap: boolean;
  /** Someone else's active reservation, or a booking of the user's own: the seat is not to be had. */
  taken: boolean;
  /** The hold expiry of the reservation that takes the seat; null for a booking. */
  taken_until: Date | null;
  /** The user's hold of the seat: the one inserted now, or the one they already had. */
  id: number | null;
  user_id: number | null;
  show_id: number | null;
  status: ReservationStatus | null;
  hold_expiry: Date | null;
  created_at: Date | null;
  updated_at: Date | null;
}

/** What decides the hold statement's text; everything else is a parameter. */
interface HoldShape {
  bySeatIds: boolean;
  capped: boolean;
}

/** The hold statement's parameters, by name (one name may be bound more than once). */
interface HoldValues {
  seatIds: readonly number[] | undefined;
  showId: number | undefined;
  seatNumbers: readonly string[] | undefined;
  seatCount: number;
  userId: number;
  actorUserId: number;
  holdMinutes: number;
  cap: number;
}

const shapeOf = (hold: HoldRequest): HoldShape => ({
  bySeatIds: "seatIds" in hold.seats,
  capped: hold.maxHoldsPerShow > 0,
});

function valuesOf({ seats, userId, actorUserId, holdMinutes, maxHoldsPerShow }: HoldRequest): HoldValues {
  const bySeatIds = "seatIds" in seats;
  return {
    seatIds: bySeatIds ? seats.seatIds : undefined,
    showId: bySeatIds ? undefined : seats.showId,
    seatNumbers: bySeatIds ? undefined : seats.seatNumbers,
    seatCount: bySeatIds ? seats.seatIds.length : seats.seatNumbers.length,
    userId,
    actorUserId,
    holdMinutes,
    cap: maxHoldsPerShow,
  };
}

/**
 * A hold of 1–10 seats of one show in one statement (one round trip, all or nothing):
 * 1. finds the seats and whether their show has started (nothing is written unless all are found,
 *    of one show that has not started);
 * 2. locks, in id order (so overlapping statements never deadlock on them), the lapsed holds of
 *    these seats and, with a cap, the user's other lapsed holds of the show, and marks them EXPIRED
 *    (a system event each; the insert below runs after this, so their old versions no longer
 *    occupy the unique indexes);
 * 3. reads each seat's active reservation: the user's own live hold is returned unchanged (the
 *    re-hold rule); anyone else's, or a booking, takes the seat and nothing is inserted;
 * 4. with a cap, gives each new hold a free slot of the user and show among 1..cap (starting at a
 *    seat-dependent offset so one user's concurrent holds rarely pick the same one); too few →
 *    nothing is inserted;
 * 5. inserts the new holds in seat-id order, all expiring `holdMinutes` after database time.
 * A concurrent statement the snapshot could not see makes the insert throw a unique violation
 * (on `unique_active_reservation_per_seat` or `reservations_hold_slot_per_user_show`) after that
 * statement commits; nothing is written then, and running this again sees it.
 */
export function holdStatement(hold: HoldRequest): RawBuilder<HoldStatementRow> {
  return holdTemplate(shapeOf(hold), valuesOf(hold));
}

function holdTemplate({ bySeatIds, capped }: HoldShape, values: HoldValues): RawBuilder<HoldStatementRow> {
  const { userId, cap } = values;
  const wantedSeats = bySeatIds
    ? sql`s.id = ANY(${values.seatIds}::integer[])`
    : sql`s.show_id = ${values.showId} AND s.seat_number = ANY(${values.seatNumbers}::text[])`;
  const usersLapsedHolds = capped
    ? sql`OR (r.user_id = ${userId} AND r.show_id = (SELECT show_id FROM gate))`
    : sql``;
  // Slots used by the user's live holds of the show; a hold made while the cap was off has none.
  // The candidates are the slots in cyclic order from the offset; with h holds, at most h of them
  // are used, so the first h + k candidates hold the first k free ones: no need to make all `cap`
  // of them (the series is materialized whole, 1,000 rows a hold at the benchmark's cap).
  const slots = capped
    ? sql`,
    users_holds AS (
      SELECT hold_slot FROM reservations
      WHERE user_id = ${userId} AND show_id = (SELECT show_id FROM gate) AND ${holdIsLive(dbNow)}
    ),
    free_slots AS (
      SELECT slot, row_number() OVER () AS n FROM (
        SELECT (g + (SELECT min(id) FROM wanted)) % ${cap}::integer + 1 AS slot
        FROM generate_series(
          0, least(${cap}::integer, (SELECT count(*) FROM users_holds) + (SELECT count(*) FROM fresh))::integer - 1
        ) g
      ) candidate
      WHERE slot NOT IN (SELECT hold_slot FROM users_holds WHERE hold_slot IS NOT NULL)
      LIMIT (SELECT count(*) FROM fresh)
    )`
    : sql``;
  const withinCap = capped
    ? sql`NOT EXISTS (SELECT 1 FROM fresh) OR (
            (SELECT count(*) FROM users_holds) + (SELECT count(*) FROM fresh) <= ${cap}::integer
            AND (SELECT count(*) FROM free_slots) = (SELECT count(*) FROM fresh))`
    : sql`true`;
  return sql<HoldStatementRow>`
    WITH wanted AS (
      SELECT s.id, s.show_id, s.seat_number, sh.starts_at <= ${dbNow} AS show_started
      FROM seats s JOIN shows sh ON sh.id = s.show_id
      WHERE ${wantedSeats}
    ),
    gate AS (
      SELECT count(*) = ${values.seatCount}::integer AND count(DISTINCT show_id) = 1
               AND NOT bool_or(show_started) AS open,
             min(show_id) AS show_id
      FROM wanted
    ),
    lapsed AS (
      SELECT r.id FROM reservations r
      WHERE (SELECT open FROM gate) AND ${holdHasLapsed(dbNow, "r")}
        AND (r.seat_id = ANY(ARRAY(SELECT id FROM wanted)) ${usersLapsedHolds})
      ORDER BY r.id
      FOR UPDATE
    ),
    expired AS (
      UPDATE reservations r SET status = 'EXPIRED', updated_at = ${dbNow}, actor_user_id = NULL
      FROM lapsed WHERE r.id = lapsed.id
      RETURNING r.id
    ),
    current AS (
      SELECT ${RESERVATION_COLUMNS} FROM reservations
      WHERE seat_id = ANY(ARRAY(SELECT id FROM wanted)) AND status IN ('HELD', 'CONFIRMED')
        AND (status = 'CONFIRMED' OR ${holdIsLive(dbNow)})
    ),
    fresh AS (
      SELECT w.id, w.show_id, row_number() OVER (ORDER BY w.id) AS n
      FROM wanted w WHERE NOT EXISTS (SELECT 1 FROM current c WHERE c.seat_id = w.id)
    )${slots},
    verdict AS (
      SELECT (SELECT open FROM gate) AS open,
             NOT EXISTS (SELECT 1 FROM current WHERE user_id <> ${userId} OR status <> 'HELD') AS free,
             ${withinCap} AS within_cap
    ),
    held AS (
      INSERT INTO reservations
        (user_id, seat_id, show_id, status, hold_expiry, created_at, updated_at, actor_user_id, hold_slot)
      SELECT ${userId}, f.id, f.show_id, 'HELD', ${dbNow} + make_interval(mins => ${values.holdMinutes}),
             ${dbNow}, ${dbNow}, ${values.actorUserId}, ${capped ? sql`fs.slot` : sql`NULL::smallint`}
      FROM fresh f ${capped ? sql`JOIN free_slots fs ON fs.n = f.n` : sql``}
      WHERE (SELECT open AND free AND within_cap FROM verdict) AND (SELECT count(*) FROM expired) >= 0
      ORDER BY f.id
      RETURNING ${RESERVATION_COLUMNS}
    ),
    users_reservation AS (
      SELECT * FROM held
      UNION ALL
      SELECT * FROM current WHERE user_id = ${userId} AND status = 'HELD'
    )
    SELECT w.id AS seat_id, w.seat_number, w.show_id AS seat_show_id, w.show_started,
           (SELECT within_cap FROM verdict) AS within_cap,
           (c.id IS NOT NULL AND (c.user_id <> ${userId} OR c.status <> 'HELD')) AS taken,
           CASE WHEN c.status = 'HELD' THEN c.hold_expiry END AS taken_until,
           u.id, u.user_id, u.show_id, u.status, u.hold_expiry, u.created_at, u.updated_at
    FROM wanted w
    LEFT JOIN current c ON c.seat_id = w.id
    LEFT JOIN users_reservation u ON u.seat_id = w.id
    ORDER BY w.id
  `;
}

/**
 * `holdStatement` compiled once per shape: its text, and which value goes in each parameter.
 * Building and compiling the statement on every call cost ~5% of the server's CPU during holds,
 * and a fresh 3 KB text each time had to be hashed again to find its prepared statement's name;
 * the cached text is the same string on every call. The shape's statement is compiled from the
 * one template above with a marker in place of each value, so the text cannot drift from it.
 */
interface CompiledHold {
  sql: string;
  parameters: readonly (keyof HoldValues)[];
}

/** By shape: index 2 × bySeatIds + capped. */
const compiledHolds: (CompiledHold | undefined)[] = [];

/** The statement of `hold`'s shape, compiled (on first use) by `db`'s compiler. */
function compiledHold(db: Kysely<DB>, shape: HoldShape): CompiledHold {
  const key = (shape.bySeatIds ? 2 : 0) + (shape.capped ? 1 : 0);
  let compiled = compiledHolds[key];
  if (!compiled) {
    const names = new Map<object, keyof HoldValues>();
    const markers = Object.fromEntries(
      HOLD_VALUE_NAMES.map((name) => {
        const marker = { name };
        names.set(marker, name);
        return [name, marker];
      }),
    ) as unknown as HoldValues;
    const { sql: text, parameters } = holdTemplate(shape, markers).compile(db);
    compiled = {
      sql: text,
      parameters: parameters.map((marker) => {
        const name = names.get(marker as object);
        if (!name) throw new Error("holdStatement binds a value that is not one of HoldValues");
        return name;
      }),
    };
    compiledHolds[key] = compiled;
  }
  return compiled;
}

const HOLD_VALUE_NAMES: readonly (keyof HoldValues)[] = [
  "seatIds",
  "showId",
  "seatNumbers",
  "seatCount",
  "userId",
  "actorUserId",
  "holdMinutes",
  "cap",
];

/** `holdStatement(hold)` as it goes to the database: the same text and parameters, without rebuilding it. */
export function compileHoldStatement(db: Kysely<DB>, hold: HoldRequest): CompiledQuery<HoldStatementRow> {
  const { sql: text, parameters } = compiledHold(db, shapeOf(hold));
  const values = valuesOf(hold);
  return CompiledQuery.raw(
    text,
    parameters.map((name) => values[name]),
  ) as CompiledQuery<HoldStatementRow>;
}

/** Runs `holdStatement` (see there; a concurrent hold it could not see makes it throw). */
export async function holdSeatsInOneStatement(
  db: Kysely<DB>,
  hold: HoldRequest,
): Promise<HoldStatementRow[]> {
  const { rows } = await db.executeQuery(compileHoldStatement(db, hold));
  return rows;
}

/** The reservation's row, locked until the transaction ends. */
export function lockReservation(db: Kysely<DB>, id: number) {
  return db
    .selectFrom("reservations")
    .select(["id", "user_id", "seat_id", "show_id", "status", "hold_expiry", "created_at", "updated_at"])
    .where("id", "=", id)
    .forUpdate()
    .executeTakeFirst();
}

/**
 * A confirm in one statement (one round trip, atomic on its own). Locks the reservation; reads
 * database time after the lock is held (clock_timestamp() in a CTE fed by the locked row, so it
 * cannot be taken while waiting, unlike statement_timestamp()); then, if it is HELD and
 * `settleIfOwnedBy` is its owner (null: anyone's, for an admin), settles it: CONFIRMED by
 * `actorUserId` while the hold is live, EXPIRED (by the system) once it has lapsed. Returns the row
 * as it stands after the statement (unchanged when it was not settled), or undefined when there is
 * no such reservation.
 */
export function confirmStatement(id: number, settleIfOwnedBy: number | null, actorUserId: number) {
  const afterLockNow = sql.ref<Date>("after_lock.now");
  return sql<ReservationRow>`
    WITH locked AS (
      SELECT * FROM reservations WHERE id = ${id} FOR UPDATE
    ),
    after_lock AS (
      SELECT locked.id, clock_timestamp() AS now FROM locked
    ),
    settled AS (
      UPDATE reservations r
      SET status = CASE WHEN ${holdIsLive(afterLockNow, "locked")} THEN 'CONFIRMED' ELSE 'EXPIRED' END,
          actor_user_id = CASE WHEN ${holdIsLive(afterLockNow, "locked")} THEN ${actorUserId}::integer END,
          updated_at = after_lock.now
      FROM locked JOIN after_lock ON after_lock.id = locked.id
      WHERE r.id = locked.id AND locked.status = 'HELD'
        AND (${settleIfOwnedBy}::integer IS NULL OR locked.user_id = ${settleIfOwnedBy})
      RETURNING r.id, r.status, r.updated_at
    )
    SELECT locked.id, locked.user_id, locked.seat_id, locked.show_id,
           coalesce(settled.status, locked.status) AS status, locked.hold_expiry, locked.created_at,
           coalesce(settled.updated_at, locked.updated_at) AS updated_at
    FROM locked LEFT JOIN settled ON settled.id = locked.id
  `;
}

/** Runs `confirmStatement`. */
export async function lockAndSettleHeldReservation(
  db: Kysely<DB>,
  id: number,
  settleIfOwnedBy: number | null,
  actorUserId: number,
): Promise<ReservationRow | undefined> {
  const { rows } = await confirmStatement(id, settleIfOwnedBy, actorUserId).execute(db);
  return rows[0];
}

export interface ConfirmManyRow extends ReservationRow {
  /** Owned by `settleIfOwnedBy` (always, for an admin). */
  visible: boolean;
  /** A HELD reservation whose hold had lapsed when it was locked (now EXPIRED). */
  lapsed: boolean;
}

/**
 * Confirms several reservations all or nothing, in one statement. Locks them in id order (so
 * overlapping confirms never deadlock), then reads database time once, after every lock is held.
 * If every one exists, is visible to the caller (`settleIfOwnedBy` owns it; null: an admin) and is
 * a live hold or already CONFIRMED, the live holds become CONFIRMED by `actorUserId`. Otherwise
 * nothing is confirmed, and the visible lapsed holds become EXPIRED. Returns the rows found, as
 * they stand after the statement, in id order.
 */
export function confirmManyStatement(
  ids: readonly number[],
  settleIfOwnedBy: number | null,
  actorUserId: number,
) {
  return sql<ConfirmManyRow>`
    WITH locked AS (
      SELECT * FROM reservations WHERE id = ANY(${ids}::bigint[]) ORDER BY id FOR UPDATE
    ),
    after_lock AS (
      SELECT clock_timestamp() AS now FROM (SELECT count(*) FROM locked) all_locked
    ),
    state AS (
      SELECT l.*, a.now,
             (${settleIfOwnedBy}::integer IS NULL OR l.user_id = ${settleIfOwnedBy}) AS visible,
             ${holdHasLapsed(sql.ref("a.now"), "l")} AS lapsed,
             ${holdIsLive(sql.ref("a.now"), "l")} AS live
      FROM locked l CROSS JOIN after_lock a
    ),
    verdict AS (
      SELECT count(*) = ${ids.length}::integer AND bool_and(visible) AND bool_and(live OR status = 'CONFIRMED')
               AS confirmable
      FROM state
    ),
    settled AS (
      UPDATE reservations r
      SET status = CASE WHEN v.confirmable THEN 'CONFIRMED' ELSE 'EXPIRED' END,
          actor_user_id = CASE WHEN v.confirmable THEN ${actorUserId}::integer END,
          updated_at = s.now
      FROM state s CROSS JOIN verdict v
      WHERE r.id = s.id AND s.visible AND CASE WHEN v.confirmable THEN s.live ELSE s.lapsed END
      RETURNING r.id, r.status, r.updated_at
    )
    SELECT s.id, s.user_id, s.seat_id, s.show_id, coalesce(settled.status, s.status) AS status,
           s.hold_expiry, s.created_at, coalesce(settled.updated_at, s.updated_at) AS updated_at,
           s.visible, s.lapsed
    FROM state s LEFT JOIN settled ON settled.id = s.id
    ORDER BY s.id
  `;
}

/** Runs `confirmManyStatement`. */
export async function lockAndSettleHeldReservations(
  db: Kysely<DB>,
  ids: readonly number[],
  settleIfOwnedBy: number | null,
  actorUserId: number,
): Promise<ConfirmManyRow[]> {
  const { rows } = await confirmManyStatement(ids, settleIfOwnedBy, actorUserId).execute(db);
  return rows;
}

/**
 * Ends a locked HELD or CONFIRMED reservation: CANCELLED by `actorUserId`, or EXPIRED (by the
 * system) for a hold that had already lapsed (it freed the seat at its expiry, not now).
 */
export function endReservation(db: Kysely<DB>, id: number, actorUserId: number) {
  const lapsed = holdHasLapsed(dbNow);
  return db
    .updateTable("reservations")
    .set({
      status: sql<ReservationStatus>`CASE WHEN ${lapsed} THEN 'EXPIRED' ELSE 'CANCELLED' END`,
      actor_user_id: sql<number | null>`CASE WHEN ${lapsed} THEN NULL ELSE ${actorUserId}::integer END`,
      updated_at: dbNow,
    })
    .where("id", "=", id)
    .where("status", "in", ["HELD", "CONFIRMED"])
    .returning(["id", "user_id", "seat_id", "show_id", "status", "hold_expiry", "created_at", "updated_at"])
    .executeTakeFirstOrThrow();
}

/** A reservation's status as it stands now: a lapsed hold reads EXPIRED even before anything marks it. */
const currentStatus = sql<ReservationStatus>`CASE WHEN ${holdHasLapsed(dbNow)} THEN 'EXPIRED' ELSE status END`;

/** The columns of a reservation as it stands now (see currentStatus). */
const currentReservation = [
  "id",
  "user_id",
  "seat_id",
  "show_id",
  currentStatus.as("status"),
  "hold_expiry",
  "created_at",
  "updated_at",
] as const;

/** A reservation as it stands now (see currentStatus). */
export function findReservation(db: Kysely<DB>, id: number) {
  return db.selectFrom("reservations").select(currentReservation).where("id", "=", id).executeTakeFirst();
}

export interface ReservationEventRow {
  id: number;
  status: ReservationStatus;
  at: Date;
  actor_user_id: number | null;
}

/**
 * A reservation's owner and its events, oldest first, in one statement; undefined when there is
 * no such reservation.
 */
export async function selectReservationHistory(
  db: Kysely<DB>,
  reservationId: number,
): Promise<{ userId: number; events: ReservationEventRow[] } | undefined> {
  const rows = await db
    .selectFrom("reservations as r")
    .leftJoin("reservation_events as e", "e.reservation_id", "r.id")
    .select(["r.user_id", "e.id", "e.status", "e.at", "e.actor_user_id"])
    .where("r.id", "=", reservationId)
    .orderBy("e.id")
    .execute();
  const first = rows[0];
  if (!first) return undefined;
  const events = rows.flatMap((row) =>
    row.id === null || row.status === null || row.at === null
      ? []
      : [
          {
            id: row.id,
            status: row.status as ReservationStatus,
            at: row.at,
            actor_user_id: row.actor_user_id,
          },
        ],
  );
  return { userId: first.user_id, events };
}

/**
 * One batch of the expiry sweeper: marks up to `batchSize` lapsed holds of one show EXPIRED (by
 * the system; the trigger writes an event each). Rows another transaction has locked are skipped,
 * so sweepers of several instances share the work and never expire one hold twice. One show per
 * batch: the event trigger takes that show's advisory lock, and a batch spanning shows could take
 * two of them in an order another batch reverses (a deadlock). Returns the number expired.
 */
export async function expireLapsedHoldsBatch(db: Kysely<DB>, batchSize: number): Promise<number> {
  const { rows } = await sql<{ id: number }>`
    WITH first_lapsed AS (
      SELECT show_id FROM reservations
      WHERE ${holdHasLapsed(dbNow)}
      ORDER BY hold_expiry
      LIMIT 1
      FOR UPDATE SKIP LOCKED
    ),
    batch AS (
      SELECT id FROM reservations
      WHERE show_id = (SELECT show_id FROM first_lapsed) AND ${holdHasLapsed(dbNow)}
      ORDER BY hold_expiry
      LIMIT ${batchSize}
      FOR UPDATE SKIP LOCKED
    )
    UPDATE reservations r SET status = 'EXPIRED', updated_at = ${dbNow}, actor_user_id = NULL
    FROM batch WHERE r.id = batch.id
    RETURNING r.id
  `.execute(db);
  return rows.length;
}

export interface ReservationPageQuery {
  userId: number;
  /** As the reservation stands now: a lapsed hold counts as EXPIRED. */
  status?: ReservationStatus | undefined;
  showId?: number | undefined;
  limit: number;
  /** The id of the last reservation of the previous page: this page has older ones. */
  cursor?: number | undefined;
}

/**
 * One page of a user's reservations, newest first (by id, which rises with creation), each as it
 * stands now (a lapsed hold reads EXPIRED, as in findReservation); `limit + 1` rows, so the caller
 * learns whether more follow.
 */
export function selectReservationsPage(db: Kysely<DB>, query: ReservationPageQuery) {
  let select = db.selectFrom("reservations").select(currentReservation).where("user_id", "=", query.userId);
  if (query.status !== undefined) select = select.where(currentStatus, "=", query.status);
  if (query.showId !== undefined) select = select.where("show_id", "=", query.showId);
  if (query.cursor !== undefined) select = select.where("id", "<", query.cursor);
  return select
    .orderBy("id", "desc")
    .limit(query.limit + 1)
    .execute();
}
