// Bulk seats: the labels through seats.add in CLI-sized chunks vs the same rows through pg.
import { seatSortKey } from "@eventforge/domain";
import { chunk, shuffled, venueLabels } from "./labels.js";
import { timed } from "./load.js";
import { rawInsertSeats } from "./raw-sql.js";
import { describeTarget, formatMs, formatNumber, meets, type Row, type Target } from "./stats.js";
import { type BenchShow, log, newShow, type World } from "./world.js";

/** Bulk seats: the labels through seats.add in CLI-sized chunks vs the same rows through pg. */
export async function bulkSeats(world: World): Promise<{ row: Row; apiShow: BenchShow; rawShow: BenchShow }> {
  const { scale } = world;
  const labels = venueLabels(scale.seats);
  const chunks = chunk(labels, scale.seatsPerCall);
  const apiShowId = await newShow(world, "Bench: through the API");
  const rawShowId = await newShow(world, "Bench: straight through pg");

  log(
    `bulk seats: ${formatNumber(labels.length)} labels via seats.add in ${chunks.length} calls, ` +
      "each chunk also straight through pg (interleaved)",
  );
  const api = { ms: 0, value: [] as number[] };
  const raw = { ms: 0, value: [] as number[] };
  for (const [i, part] of chunks.entries()) {
    const viaApi = async () => {
      const call = await timed(() =>
        world.admin.seats.add.mutate({ show_id: apiShowId, seat_numbers: part }),
      );
      api.ms += call.ms;
      for (const seat of call.value.seats) api.value.push(seat.id);
    };
    const viaPg = async () => {
      const insert = await timed(() =>
        rawInsertSeats(
          world.pool,
          rawShowId,
          part.map((label) => ({ seat_number: label, sort_key: seatSortKey(label) })),
        ),
      );
      raw.ms += insert.ms;
      for (const id of insert.value) raw.value.push(id);
    };
    if (i % 2 === 0) {
      await viaApi();
      await viaPg();
    } else {
      await viaPg();
      await viaApi();
    }
  }
  if (api.value.length !== labels.length || raw.value.length !== labels.length) {
    throw new Error("bulk seats: not every label was added");
  }
  const target: Target = { kind: "max", value: 2, label: "api/raw time" };
  const ratio = api.ms / raw.ms;
  return {
    row: {
      scenario: `bulk seats (${formatNumber(labels.length)} labels, ${formatNumber(scale.seatsPerCall)}/call)`,
      figure: formatMs(api.ms),
      ceiling: `${formatMs(raw.ms)} raw`,
      ratio,
      target: describeTarget(target),
      met: meets(ratio, target),
      data: { api_ms: api.ms, raw_ms: raw.ms, labels: labels.length, per_call: scale.seatsPerCall },
    },
    apiShow: { id: apiShowId, free: shuffled(api.value, 1) },
    rawShow: { id: rawShowId, free: shuffled(raw.value, 2) },
  };
}
