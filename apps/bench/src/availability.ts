// Availability: the whole snapshot through the client vs its statement through pg.
import { timed } from "./load.js";
import { rawAvailability } from "./raw-sql.js";
import { describeTarget, formatMs, formatNumber, median, meets, type Row, type Target } from "./stats.js";
import { type BenchShow, insertHolds, log, take, type World } from "./world.js";

/** Availability of the whole show, `activeShare` of it held or confirmed: client vs pg. */
export async function availability(world: World, apiShow: BenchShow): Promise<Row> {
  const { scale } = world;
  const { rows } = await world.pool.query<{ n: string }>(
    `SELECT count(*) AS n FROM reservations WHERE show_id = $1 AND status IN ('HELD', 'CONFIRMED')`,
    [apiShow.id],
  );
  const wanted = Math.round(scale.seats * scale.activeShare) - Number(rows[0]?.n ?? 0);
  if (wanted > 0) await insertHolds(world, apiShow.id, take(apiShow, wanted));
  log(`availability: ${scale.availabilityRuns} snapshots of ${formatNumber(scale.seats)} seats each way`);
  const apiTimes: number[] = [];
  const rawTimes: number[] = [];
  let counts: Record<string, number> = {};
  await world.anonymous.availability.get.query({ show_id: apiShow.id }); // warm-up
  await rawAvailability(world.pool, apiShow.id);
  for (let i = 0; i < scale.availabilityRuns; i++) {
    const raw = await timed(() => rawAvailability(world.pool, apiShow.id));
    rawTimes.push(raw.ms);
    const api = await timed(() => world.anonymous.availability.get.query({ show_id: apiShow.id }));
    apiTimes.push(api.ms);
    if (api.value.seats.length !== scale.seats || raw.value !== scale.seats) {
      throw new Error("availability: the snapshot does not have every seat");
    }
    counts = {};
    for (const seat of api.value.seats) counts[seat.status] = (counts[seat.status] ?? 0) + 1;
  }
  const target: Target = { kind: "max", value: 2, label: "api/raw time" };
  const ratio = median(apiTimes) / median(rawTimes);
  return {
    scenario: `availability (${formatNumber(scale.seats)} seats, ${scale.activeShare * 100}% taken)`,
    figure: formatMs(median(apiTimes)),
    ceiling: `${formatMs(median(rawTimes))} raw`,
    ratio,
    target: describeTarget(target),
    met: meets(ratio, target),
    data: { api_ms: apiTimes, raw_ms: rawTimes, statuses: counts },
  };
}
