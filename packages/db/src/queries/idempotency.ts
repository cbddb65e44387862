import { type Kysely, sql } from "kysely";
import type { DB } from "../generated/db.js";
import { dbNow } from "./hold-state.js";

/**
 * First key of the two-key advisory lock a request with an idempotency key holds while it runs
 * (the second is a hash of the user and the key). The show-events lock uses another first key.
 */
const IDEMPOTENCY_LOCK_CLASS = 0x1de4;

const lockKey = (userId: number, key: string) =>
  sql`${IDEMPOTENCY_LOCK_CLASS}::integer, hashtext(${userId}::text || ':' || ${key}::text)`;

/**
 * Claims (user, key) for the rest of the transaction `tx`, without waiting: false when another
 * transaction holds it, i.e. a request with this key is in flight. Two keys whose hashes collide
 * share the claim, which at worst makes one of them wait for a retry.
 */
export async function tryClaimIdempotencyKey(tx: Kysely<DB>, userId: number, key: string): Promise<boolean> {
  const { rows } = await sql<{ claimed: boolean }>`
    SELECT pg_try_advisory_xact_lock(${lockKey(userId, key)}) AS claimed
  `.execute(tx);
  return rows[0]?.claimed === true;
}

export interface IdempotencyRecord {
  operation: string;
  request_hash: string;
  outcome: "result" | "error";
  response: string;
}

/** The finished request stored under (user, key), unless it has expired. */
export function findIdempotencyRecord(
  db: Kysely<DB>,
  userId: number,
  key: string,
): Promise<IdempotencyRecord | undefined> {
  return db
    .selectFrom("idempotency_keys")
    .select([
      "operation",
      "request_hash",
      sql<IdempotencyRecord["outcome"]>`outcome`.as("outcome"),
      "response",
    ])
    .where("user_id", "=", userId)
    .where("key", "=", key)
    .where("expires_at", ">", dbNow)
    .executeTakeFirst();
}

/**
 * Stores what a request answered under (user, key), kept `ttlHours`; an expired record of the
 * same key (not yet purged) is replaced.
 */
export async function storeIdempotencyRecord(
  db: Kysely<DB>,
  record: IdempotencyRecord & { userId: number; key: string; ttlHours: number },
): Promise<void> {
  const row = {
    user_id: record.userId,
    key: record.key,
    operation: record.operation,
    request_hash: record.request_hash,
    outcome: record.outcome,
    response: record.response,
    created_at: dbNow,
    expires_at: sql<Date>`${dbNow} + make_interval(hours => ${record.ttlHours})`,
  };
  await db
    .insertInto("idempotency_keys")
    .values(row)
    .onConflict((conflict) =>
      conflict.columns(["user_id", "key"]).doUpdateSet({
        operation: (eb) => eb.ref("excluded.operation"),
        request_hash: (eb) => eb.ref("excluded.request_hash"),
        outcome: (eb) => eb.ref("excluded.outcome"),
        response: (eb) => eb.ref("excluded.response"),
        created_at: (eb) => eb.ref("excluded.created_at"),
        expires_at: (eb) => eb.ref("excluded.expires_at"),
      }),
    )
    .execute();
}

/** Deletes up to `batchSize` expired idempotency records, oldest first; returns how many. */
export async function purgeExpiredIdempotencyKeysBatch(db: Kysely<DB>, batchSize: number): Promise<number> {
  const { rows } = await sql<{ key: string }>`
    DELETE FROM idempotency_keys k
    USING (
      SELECT user_id, key FROM idempotency_keys
      WHERE expires_at <= ${dbNow}
      ORDER BY expires_at
      LIMIT ${batchSize}
      FOR UPDATE SKIP LOCKED
    ) expired
    WHERE k.user_id = expired.user_id AND k.key = expired.key
    RETURNING k.key
  `.execute(db);
  return rows.length;
}
