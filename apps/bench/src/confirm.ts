// Confirm: held reservations confirmed through the client vs the confirm SQL through pg.
import { chunk, shuffled } from "./labels.js";
import { runAll } from "./load.js";
import {
  assertNoFailures,
  describeRate,
  interleaved,
  latencyData,
  type Measured,
  throughput,
} from "./measure.js";
import { rawConfirm } from "./raw-sql.js";
import { describeTarget, formatNumber, meets, type Row, type Target } from "./stats.js";
import { type BenchShow, insertHolds, log, take, type World } from "./world.js";

/**
 * Confirm held reservations through the client (each by its owner) vs the confirm SQL via pg, sent
 * as a named (prepared) statement as the server's pool sends it: the ceiling is the real limit.
 */
export async function confirm(world: World, apiShow: BenchShow, rawShow: BenchShow): Promise<Row> {
  const { scale } = world;
  const apiHolds = shuffled(await insertHolds(world, apiShow.id, take(apiShow, scale.confirms)), 3);
  const rawHolds = shuffled(await insertHolds(world, rawShow.id, take(rawShow, scale.confirms)), 4);
  log(`confirm: ${formatNumber(scale.confirms)} holds through the client and through pg, interleaved`);
  const apiParts = chunk(apiHolds, Math.ceil(apiHolds.length / scale.rounds));
  const rawParts = chunk(rawHolds, Math.ceil(rawHolds.length / scale.rounds));
  const [api, raw] = (await interleaved(world, scale.rounds, [
    {
      name: "confirm",
      run: (round) =>
        runAll(scale.concurrency, apiParts[round] ?? [], async ([id, owner]) => {
          const result = await owner.client.reservations.confirm.mutate({ reservation_id: id });
          if (result.status !== "CONFIRMED") throw new Error(`reservation ${id} is ${result.status}`);
        }),
    },
    {
      name: "raw confirm",
      run: (round) =>
        runAll(scale.concurrency, rawParts[round] ?? [], ([id, owner]) =>
          rawConfirm(world.pool, id, owner.userId),
        ),
    },
  ])) as [Measured, Measured];
  assertNoFailures("confirm", api);
  assertNoFailures("raw confirm", raw);
  const target: Target = { kind: "min", value: 0.5, label: "api/raw prepared" };
  const ratio = throughput(api) / throughput(raw);
  return {
    scenario: `confirm (${formatNumber(scale.confirms)} holds, ${scale.concurrency} concurrent)`,
    figure: describeRate(api, "confirms/s"),
    ceiling: `${formatNumber(throughput(raw))} raw prepared/s`,
    ratio,
    target: describeTarget(target),
    met: meets(ratio, target),
    data: { api: latencyData(api), raw: latencyData(raw) },
  };
}
