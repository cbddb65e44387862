import { type Database, findShow, insertShow, selectShowsPage } from "@eventforge/db";
import { type ServiceErrors, ShowNotFoundError } from "./errors.js";
import type { Show } from "./types.js";

/** What createShow can throw: its reasons and their details in the OpenAPI document and the client. */
export const createShowErrors = [] as const satisfies ServiceErrors;

export function createShow(
  db: Database,
  input: { title: string; venue: string; starts_at: Date },
): Promise<Show> {
  return insertShow(db, input);
}

/** What getShow can throw: its reasons and their details in the OpenAPI document and the client. */
export const getShowErrors = [ShowNotFoundError] as const satisfies ServiceErrors;

export async function getShow(db: Database, showId: number): Promise<Show> {
  const show = await findShow(db, showId);
  if (!show) throw new ShowNotFoundError(showId);
  return show;
}

/** What listShows can throw: its reasons and their details in the OpenAPI document and the client. */
export const listShowsErrors = [] as const satisfies ServiceErrors;

/** One page of shows by start time; `next_cursor` is the offset of the next page, or null. */
export async function listShows(
  db: Database,
  page: { limit: number; cursor?: number | undefined },
): Promise<{ items: Show[]; next_cursor: number | null }> {
  const offset = page.cursor ?? 0;
  const rows = await selectShowsPage(db, { offset, limit: page.limit + 1 });
  const items = rows.slice(0, page.limit);
  return { items, next_cursor: rows.length > page.limit ? offset + page.limit : null };
}
