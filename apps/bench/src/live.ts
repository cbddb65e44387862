// The "live" scenario: N watchers of one show on the REST event stream while seats change straight
// through pg, as fast as small committed batches go. Measures changes delivered per second (to
// all watchers together) and the delay from each commit to each delivery.
import { get } from "node:http";
import { performance } from "node:perf_hooks";
import type pg from "pg";
import { describeTarget, formatMs, formatNumber, meets, percentile, type Row, type Target } from "./stats.js";

export interface LiveSetup {
  serverUrl: string;
  pool: pg.Pool;
  showId: number;
  /** Free seats of the show; each is held once, one change each. */
  seatIds: number[];
  /** Owners for the holds (any users). */
  userIds: number[];
  watchers: number;
  /** Seats held per committed statement. */
  batchSize: number;
  /** Statements in flight at once. */
  writers: number;
  /** Commits per second, all writers together (a paced feed, as an on-sale is). */
  commitsPerSecond: number;
  log: (message: string) => void;
}

/** One watcher: the time each seat's change arrived, and whether the ids came in order. */
interface Watcher {
  receivedAt: Map<number, number>;
  lastEventId: number;
  outOfOrder: number;
  /** `event: error` messages (WATCHER_TOO_SLOW: this process could not keep up). */
  dropped: number;
  close(): void;
  done: Promise<void>;
}

const SEAT_ID = '"seat_id":';

/**
 * A watcher on node:http with a parser that reads only the two numbers it needs: a thousand of
 * them in one process must not be what limits the figures.
 */
function openWatcher(url: string): Promise<Watcher> {
  return new Promise((resolve, reject) => {
    const request = get(url, { headers: { accept: "text/event-stream" }, agent: false }, (response) => {
      if (response.statusCode !== 200) {
        reject(new Error(`live: the stream answered ${response.statusCode}`));
        response.resume();
        return;
      }
      let finish!: () => void;
      const watcher: Watcher = {
        receivedAt: new Map(),
        lastEventId: 0,
        outOfOrder: 0,
        dropped: 0,
        close: () => request.destroy(),
        done: new Promise((done) => {
          finish = done;
        }),
      };
      response.once("close", () => finish());
      response.setEncoding("utf8");
      let buffer = "";
      response.on("data", (chunk: string) => {
        const now = performance.now();
        buffer += chunk;
        let from = 0;
        for (let end = buffer.indexOf("\n\n"); end >= 0; end = buffer.indexOf("\n\n", from)) {
          const block = buffer.slice(from, end);
          from = end + 2;
          if (block.startsWith("id: ")) {
            const eventId = Number(block.slice(4, block.indexOf("\n")));
            const at = block.indexOf(SEAT_ID) + SEAT_ID.length;
            const seatId = Number(block.slice(at, block.indexOf(",", at)));
            if (eventId <= watcher.lastEventId) watcher.outOfOrder++;
            watcher.lastEventId = eventId;
            watcher.receivedAt.set(seatId, now);
          } else if (block.startsWith("event: error")) {
            watcher.dropped++;
          }
        }
        buffer = buffer.slice(from);
      });
      resolve(watcher);
    });
    request.on("error", (error) => {
      if (!request.destroyed) reject(error);
    });
  });
}

export async function liveScenario(setup: LiveSetup): Promise<Row> {
  const { seatIds } = setup;
  const url = `${setup.serverUrl}/shows/${setup.showId}/availability/events`;
  setup.log(
    `live: ${formatNumber(setup.watchers)} watchers of one show, ${formatNumber(seatIds.length)} changes ` +
      `in commits of ${setup.batchSize}, ${setup.commitsPerSecond} commits/s`,
  );
  const watchers: Watcher[] = [];
  for (let i = 0; i < setup.watchers; i += 100) {
    watchers.push(
      ...(await Promise.all(
        Array.from({ length: Math.min(100, setup.watchers - i) }, () => openWatcher(url)),
      )),
    );
  }
  const committedAt = new Map<number, number>();
  const batches: number[][] = [];
  for (let i = 0; i < seatIds.length; i += setup.batchSize)
    batches.push(seatIds.slice(i, i + setup.batchSize));
  let next = 0;
  const started = performance.now();
  const interval = (1000 / setup.commitsPerSecond) * setup.writers;
  const writer = async () => {
    while (next < batches.length) {
      const batch = batches[next++] as number[];
      const due = performance.now() + interval;
      const owners = batch.map((_, i) => setup.userIds[i % setup.userIds.length] as number);
      await setup.pool.query(
        `INSERT INTO reservations (user_id, seat_id, show_id, status, hold_expiry)
         SELECT u, s, $3, 'HELD', statement_timestamp() + interval '15 minutes'
         FROM unnest($1::int[], $2::int[]) AS t(u, s)`,
        [owners, batch, setup.showId],
      );
      // The statement is its own transaction: when it returns, it is committed.
      const now = performance.now();
      for (const seatId of batch) committedAt.set(seatId, now);
      if (due > now) await new Promise((resolve) => setTimeout(resolve, due - now));
    }
  };
  await Promise.all(Array.from({ length: setup.writers }, writer));
  const committedMs = performance.now() - started;

  const expected = seatIds.length;
  const deadline = performance.now() + 60_000;
  const waiting = (w: Watcher) => w.receivedAt.size < expected && w.dropped === 0;
  while (watchers.some(waiting) && performance.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  for (const watcher of watchers) watcher.close();
  await Promise.all(watchers.map((watcher) => watcher.done));
  // A dropped watcher was told so (WATCHER_TOO_SLOW) and would resume; a silent gap is a bug.
  const dropped = watchers.filter((w) => w.dropped > 0).length;
  const missing = watchers
    .filter((w) => w.dropped === 0)
    .reduce((sum, w) => sum + (expected - w.receivedAt.size), 0);
  const outOfOrder = watchers.reduce((sum, w) => sum + w.outOfOrder, 0);
  if (missing > 0 || outOfOrder > 0) {
    throw new Error(`live: ${missing} deliveries missing without a drop, ${outOfOrder} out of order`);
  }

  const delays: number[] = [];
  let lastDelivery = 0;
  for (const watcher of watchers) {
    for (const [seatId, at] of watcher.receivedAt) {
      // A delivery can beat the commit's answer to the writer: that is no delay at all.
      delays.push(Math.max(0, at - (committedAt.get(seatId) as number)));
      lastDelivery = Math.max(lastDelivery, at);
    }
  }
  const deliveredMs = lastDelivery - started;
  const perSecond = (delays.length / deliveredMs) * 1000;
  const p50 = percentile(delays, 50);
  const p99 = percentile(delays, 99);
  // The contract (docs/design.md, Live availability): each change seen within a second.
  const target: Target = { kind: "max", value: 1, label: "p99 delay (s)" };
  const ratio = p99 / 1000;
  return {
    scenario: `live (${formatNumber(setup.watchers)} watchers, ${formatNumber(expected)} changes)`,
    figure:
      `${formatNumber(perSecond)} changes/s delivered (p50 ${formatMs(p50)}, p99 ${formatMs(p99)} commit→delivery)` +
      (dropped > 0 ? `, ${dropped} watchers dropped as too slow` : ""),
    ceiling: `${formatNumber((expected / committedMs) * 1000)} changes/s committed`,
    ratio,
    target: describeTarget(target),
    met: meets(ratio, target) && dropped === 0,
    data: {
      watchers: setup.watchers,
      dropped_watchers: dropped,
      changes: expected,
      deliveries: delays.length,
      delivered_per_second: perSecond,
      committed_ms: committedMs,
      delivered_ms: deliveredMs,
      delay_p50_ms: p50,
      delay_p99_ms: p99,
      delay_max_ms: percentile(delays, 100),
    },
  };
}
