import { type RawBuilder, sql } from "kysely";

// The one definition of whether a hold still takes its seat. A HELD row whose expiry has passed
// has lapsed: it frees its seat at that instant, before the sweeper (or a hold or confirm that
// meets it) marks it EXPIRED, so every statement that reads seats must judge holds the same way.

/** "Now" is always the database's clock. statement_timestamp() rather than now(): inside a
 * transaction that waited for a lock, now() would still be the moment the transaction began. */
export const dbNow = sql<Date>`statement_timestamp()`;

const column = (table: string | undefined, name: string) => sql.ref(table ? `${table}.${name}` : name);

/** The row (of `table`, or unqualified) is a hold that still takes its seat at `now`. */
export function holdIsLive(now: RawBuilder<Date>, table?: string): RawBuilder<boolean> {
  return sql<boolean>`(${column(table, "status")} = 'HELD' AND ${column(table, "hold_expiry")} > ${now})`;
}

/** The row (of `table`, or unqualified) is a hold whose expiry has passed at `now`, EXPIRED or not yet marked. */
export function holdHasLapsed(now: RawBuilder<Date>, table?: string): RawBuilder<boolean> {
  return sql<boolean>`(${column(table, "status")} = 'HELD' AND ${column(table, "hold_expiry")} <= ${now})`;
}
