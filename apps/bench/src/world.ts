// What every scenario works on: the seeded users with their clients, the shows, setup helpers.
import type { EventForgeClient } from "@eventforge/client";
import type pg from "pg";
import type { CpuTimes, ServerProcess } from "./environment.js";
import type { Scale } from "./options.js";

export const log = (message: string) => process.stderr.write(`[bench] ${message}\n`);

export interface Fan {
  userId: number;
  client: EventForgeClient;
}

export interface World {
  scale: Scale;
  server: ServerProcess;
  /** The benchmark's own connections: setup, and the raw-SQL ceilings. */
  pool: pg.Pool;
  admin: EventForgeClient;
  anonymous: EventForgeClient;
  /** The signed-in customers, each with a client of their own. */
  fans: Fan[];
  cpu(): Promise<CpuTimes>;
}

export interface BenchShow {
  id: number;
  /** Seats nobody has touched yet, in a fixed random order; scenarios take from the front. */
  free: number[];
}

export function take(show: BenchShow, count: number): number[] {
  if (show.free.length < count) throw new Error(`show ${show.id} has only ${show.free.length} free seats`);
  return show.free.splice(0, count);
}

export async function newShow(world: World, title: string): Promise<number> {
  const show = await world.admin.shows.create.mutate({
    title,
    venue: "Bench Arena",
    starts_at: new Date(Date.now() + 30 * 86_400_000),
  });
  return show.id;
}

/** Holds made straight in the table (setup, not measured); returns [reservation id, its owner]. */
export async function insertHolds(world: World, showId: number, seatIds: number[]): Promise<[number, Fan][]> {
  const owners = seatIds.map((_, i) => world.fans[i % world.fans.length] as Fan);
  // reservations.id is a bigint, which pg returns as a string.
  const { rows } = await world.pool.query<{ id: string; user_id: number }>(
    `INSERT INTO reservations (user_id, seat_id, show_id, status, hold_expiry)
     SELECT u, s, $3, 'HELD', statement_timestamp() + interval '15 minutes'
     FROM unnest($1::int[], $2::int[]) AS t(u, s)
     RETURNING id, user_id`,
    [owners.map((fan) => fan.userId), seatIds, showId],
  );
  const fanOf = new Map(owners.map((fan) => [fan.userId, fan]));
  return rows.map((r) => [Number(r.id), fanOf.get(r.user_id) as Fan]);
}
