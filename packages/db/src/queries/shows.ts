import type { Kysely } from "kysely";
import type { DB } from "../generated/db.js";

export interface NewShowRow {
  title: string;
  venue: string;
  starts_at: Date;
}

export function insertShow(db: Kysely<DB>, show: NewShowRow) {
  return db.insertInto("shows").values(show).returningAll().executeTakeFirstOrThrow();
}

export function findShow(db: Kysely<DB>, id: number) {
  return db.selectFrom("shows").selectAll().where("id", "=", id).executeTakeFirst();
}

/** Shows by start time (then id), one page; fetch `limit + 1` to learn whether more follow. */
export function selectShowsPage(db: Kysely<DB>, page: { offset: number; limit: number }) {
  return db
    .selectFrom("shows")
    .selectAll()
    .orderBy("starts_at")
    .orderBy("id")
    .offset(page.offset)
    .limit(page.limit)
    .execute();
}

/** Locks the show row so that concurrent seat additions to one show run one after another. */
export function lockShowForSeatChanges(db: Kysely<DB>, id: number) {
  return db.selectFrom("shows").select("id").where("id", "=", id).forNoKeyUpdate().executeTakeFirst();
}
