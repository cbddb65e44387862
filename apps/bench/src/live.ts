// The "live" scenario: N watchers of one show on the REST event stream while seats change straight
// through pg, as fast as small committed batches go. Measures changes delivered per second (to
// all watchers together) and the delay from each commit to each delivery.
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
  log: (message: string) => void;
}

/** One watcher: the time each seat's change arrived, and whether the ids came in order. */
interface Watcher {
  receivedAt: Map<number, number>;
  lastEventId: number;
  outOfOrder: number;
  close(): void;
  done: Promise<void>;
}

async function openWatcher(url: string): Promise<Watcher> {
  const abort = new AbortController();
  const response = await fetch(url, { headers: { accept: "text/event-stream" }, signal: abort.signal });
  if (response.status !== 200 || !response.body)
    throw new Error(`live: the stream answered ${response.status}`);
  const watcher: Watcher = {
    receivedAt: new Map(),
    lastEventId: 0,
    outOfOrder: 0,
    close: () => abort.abort(),
    done: Promise.resolve(),
  };
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  watcher.done = (async () => {
    let buffer = "";
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        const now = performance.now();
        buffer += value;
        let end = buffer.indexOf("\n\n");
        while (end >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          end = buffer.indexOf("\n\n");
          const data = /^data: (.*)$/mu.exec(block)?.[1];
          if (data === undefined || !block.includes("event: seat")) continue;
          const change = JSON.parse(data) as { event_id: number; seat_id: number };
          if (change.event_id <= watcher.lastEventId) watcher.outOfOrder++;
          watcher.lastEventId = change.event_id;
          watcher.receivedAt.set(change.seat_id, now);
        }
      }
    } catch (error) {
      if (!abort.signal.aborted) throw error;
    }
  })();
  return watcher;
}

export async function liveScenario(setup: LiveSetup): Promise<Row> {
  const { seatIds } = setup;
  const url = `${setup.serverUrl}/shows/${setup.showId}/availability/events`;
  setup.log(
    `live: ${formatNumber(setup.watchers)} watchers of one show, ${formatNumber(seatIds.length)} changes ` +
      `in commits of ${setup.batchSize} (${setup.writers} at once)`,
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
  const writer = async () => {
    while (next < batches.length) {
      const batch = batches[next++] as number[];
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
    }
  };
  await Promise.all(Array.from({ length: setup.writers }, writer));
  const committedMs = performance.now() - started;

  const expected = seatIds.length;
  const deadline = performance.now() + 60_000;
  while (watchers.some((w) => w.receivedAt.size < expected) && performance.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  for (const watcher of watchers) watcher.close();
  await Promise.all(watchers.map((watcher) => watcher.done));
  const missing = watchers.reduce((sum, w) => sum + (expected - w.receivedAt.size), 0);
  const outOfOrder = watchers.reduce((sum, w) => sum + w.outOfOrder, 0);
  if (missing > 0 || outOfOrder > 0) {
    throw new Error(`live: ${missing} deliveries missing, ${outOfOrder} out of order`);
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
    figure: `${formatNumber(perSecond)} changes/s delivered (p50 ${formatMs(p50)}, p99 ${formatMs(p99)} commit→delivery)`,
    ceiling: `${formatNumber((expected / committedMs) * 1000)} commits/s`,
    ratio,
    target: describeTarget(target),
    met: meets(ratio, target),
    data: {
      watchers: setup.watchers,
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
