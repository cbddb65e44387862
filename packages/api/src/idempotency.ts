import type { Database } from "@eventforge/db";
import { type Actor, parseIdempotencyKey, runIdempotently } from "@eventforge/domain";
import superjson from "superjson";
import type { Context } from "./context.js";

/** The header that marks a replayed answer (docs/design.md, Idempotency keys). */
export const IDEMPOTENT_REPLAYED_HEADER = "Idempotent-Replayed";

// superjson keeps Dates as Dates and keys in order, so a replay serializes as the first answer did.
const outcomeCodec = { stringify: (value: unknown) => superjson.stringify(value), parse: superjson.parse };

/**
 * Runs a mutation's service under the request's `Idempotency-Key`, if it has one (docs/design.md,
 * Idempotency keys): once per key and caller, in one transaction with the key's record; a repeat
 * gets the first answer (result or domain error) again, with `Idempotent-Replayed: true`.
 * `operation` names the procedure or route, so the same key on another is a different request
 * (422). Without a key the service runs as it is.
 */
export async function idempotently<T>(
  ctx: Context & { actor: Actor },
  operation: string,
  input: unknown,
  effect: (db: Database) => Promise<T>,
): Promise<T> {
  const key = parseIdempotencyKey(ctx.idempotencyKey);
  if (key === undefined) return effect(ctx.db);
  const outcome = await runIdempotently(
    ctx.db,
    { userId: ctx.actor.userId, key, operation, input, ttlHours: ctx.idempotencyTtlHours },
    outcomeCodec,
    effect,
  );
  if (outcome.replayed) ctx.setResponseHeader(IDEMPOTENT_REPLAYED_HEADER, "true");
  if (!outcome.ok) throw outcome.error;
  return outcome.value;
}
