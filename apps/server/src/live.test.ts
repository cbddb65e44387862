import { createEventForgeClient, type EventForgeClient, getErrorReason } from "@eventforge/client";
import { createTestDatabase, startTcpProxy, type TcpProxy, type TestDatabase } from "@eventforge/db/testing";
import { seedShow, seedUser, TEST_PASSWORD } from "@eventforge/domain/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ServerProcess, startServerProcess } from "./test-process.js";

// Live availability across real server processes on one database (docs/design.md, Live
// availability): changes are made through instance B, watched on instance A (and C, whose whole
// database link, the LISTEN connection included, runs through a TCP proxy).

interface Change {
  event_id: number;
  seat_id: number;
  seat_number: string;
  status: "AVAILABLE" | "HELD" | "CONFIRMED";
  hold_expiry: string | Date | null;
  at: string | Date;
}

interface ReceivedChange extends Change {
  receivedAt: number;
}

/** A raw `text/event-stream` reader (what a client in another language does), on fetch. */
interface EventStream {
  status: number;
  changes: ReceivedChange[];
  /** The `event: error` data, if the server sent one. */
  errors: unknown[];
  ended: Promise<void>;
  close(): void;
}

async function openEventStream(url: string, headers: Record<string, string> = {}): Promise<EventStream> {
  const abort = new AbortController();
  const response = await fetch(url, {
    headers: { accept: "text/event-stream", ...headers },
    signal: abort.signal,
  });
  const stream: EventStream = {
    status: response.status,
    changes: [],
    errors: [],
    ended: Promise.resolve(),
    close: () => abort.abort(),
  };
  if (response.status !== 200 || !response.body) return stream;
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  stream.ended = (async () => {
    let buffer = "";
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        buffer += value;
        let end = buffer.indexOf("\n\n");
        while (end >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          end = buffer.indexOf("\n\n");
          const fields = new Map<string, string>();
          for (const line of block.split("\n")) {
            const colon = line.indexOf(":");
            if (colon > 0) fields.set(line.slice(0, colon), line.slice(colon + 1).trimStart());
          }
          const data = fields.get("data");
          if (data === undefined) continue;
          if (fields.get("event") === "seat") {
            const change = JSON.parse(data) as Change;
            expect(fields.get("id")).toBe(String(change.event_id));
            stream.changes.push({ ...change, receivedAt: performance.now() });
          } else if (fields.get("event") === "error") {
            stream.errors.push(JSON.parse(data));
          }
        }
      }
    } catch (error) {
      if (!abort.signal.aborted) throw error;
    }
  })();
  return stream;
}

/** tRPC subscription on `client`, collecting what it receives. */
function watchWithClient(client: EventForgeClient, showId: number, lastEventId?: number | null) {
  const changes: ReceivedChange[] = [];
  const errors: unknown[] = [];
  const state = { completed: false };
  const subscription = client.availability.watch.subscribe(
    { show_id: showId, lastEventId },
    {
      onData: ({ id, data }) => {
        expect(id).toBe(String(data.event_id));
        changes.push({ ...data, receivedAt: performance.now() });
      },
      onError: (error) => errors.push(error),
      onComplete: () => {
        state.completed = true;
      },
    },
  );
  return { changes, errors, state, close: () => subscription.unsubscribe() };
}

async function waitUntil(
  what: string,
  probe: () => boolean | Promise<boolean>,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** The instance's `eventforge_live_watchers` gauge: the watchers attached to its live feed. */
async function liveWatchers(url: string): Promise<number> {
  const metrics = await (await fetch(`${url}/metrics`)).text();
  return Number(/^eventforge_live_watchers (\d+)$/mu.exec(metrics)?.[1]);
}

/**
 * Until the instance has `count` watchers attached. The feed counts a watcher once its starting
 * point is fixed (LiveFeed.watch), so every change committed after this resolves reaches it. An
 * SSE stream is attached once its response has begun; a tRPC subscription needs this wait.
 */
async function waitForWatchers(url: string, count: number): Promise<void> {
  await waitUntil(`${count} watchers on ${url}`, async () => (await liveWatchers(url)) >= count, 10_000);
}

function median(values: number[]): number {
  const sorted = [...values].sort((x, y) => x - y);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

let t: TestDatabase;
let proxy: TcpProxy;
let a: ServerProcess;
let b: ServerProcess;
let c: ServerProcess;
/** Signed in on B: every change is made there. */
let onB: EventForgeClient;
let onA: EventForgeClient;

beforeAll(async () => {
  t = await createTestDatabase();
  const target = new URL(t.url);
  proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 5432) });
  const settings = { EVENTFORGE_HOLD_RATE_PER_MINUTE: "0", EVENTFORGE_MAX_HOLDS_PER_SHOW: "0" };
  [a, b, c] = await Promise.all([
    startServerProcess(t.url, settings),
    startServerProcess(t.url, settings),
    startServerProcess(proxy.urlThrough(t.url), settings),
  ]);
  const fan = await seedUser(t.db, "customer", "Fan");
  onB = createEventForgeClient({ url: b.url });
  const { access_token } = await onB.auth.login.mutate({ email: fan.email, password: TEST_PASSWORD });
  onB = createEventForgeClient({ url: b.url, token: access_token });
  onA = createEventForgeClient({ url: a.url });
}, 180_000);

afterAll(async () => {
  await Promise.all([a, b, c].map((server) => server?.stop()));
  await proxy?.close();
  await t?.drop();
}, 60_000);

/** A new show with `count` seats. */
async function newShow(count: number) {
  return seedShow(
    t.db,
    Array.from({ length: count }, (_, i) => `S${i + 1}`),
  );
}

describe("availability.watch and the REST event stream", () => {
  it("delivers a change made on instance B to watchers on instance A within 1 s (tRPC and SSE)", async () => {
    const { show, seats } = await newShow(5);
    const watchersBefore = await liveWatchers(a.url);
    const viaClient = watchWithClient(onA, show.id);
    const viaSse = await openEventStream(`${a.url}/shows/${show.id}/availability/events`);
    expect(viaSse.status).toBe(200);
    // Both watch "from now": a hold committed before they are attached would never reach them.
    await waitForWatchers(a.url, watchersBefore + 2);
    const delays: { client: number; sse: number }[] = [];
    for (const [index, seat] of seats.entries()) {
      const started = performance.now();
      const hold = await onB.reservations.hold.mutate({ seat_id: seat.id });
      await waitUntil(
        "the change on A",
        () => viaClient.changes.length > index && viaSse.changes.length > index,
        5_000,
      );
      const fromClient = viaClient.changes[index] as ReceivedChange;
      const fromSse = viaSse.changes[index] as ReceivedChange;
      expect(fromClient).toMatchObject({ seat_id: seat.id, seat_number: seat.seat_number, status: "HELD" });
      expect(fromClient.hold_expiry).toEqual(hold.hold_expiry);
      expect(fromClient.at).toBeInstanceOf(Date);
      expect(fromSse).toMatchObject({
        event_id: fromClient.event_id,
        seat_number: seat.seat_number,
        status: "HELD",
        hold_expiry: hold.hold_expiry.toISOString(),
      });
      delays.push({ client: fromClient.receivedAt - started, sse: fromSse.receivedAt - started });
    }
    console.log(
      `B→A delay, from the request on B to delivery on A (ms): tRPC ${delays.map((d) => d.client.toFixed(0)).join(", ")}; SSE ${delays.map((d) => d.sse.toFixed(0)).join(", ")}`,
    );
    // The contract is 1 s. Slack for 3 servers and the test on 2 loaded cores: a typical (median)
    // delivery within twice that, and none slower than the fault tests' 5 s.
    for (const delay of delays) {
      expect(delay.client).toBeLessThan(5_000);
      expect(delay.sse).toBeLessThan(5_000);
    }
    expect(median(delays.map((d) => d.client))).toBeLessThan(2_000);
    expect(median(delays.map((d) => d.sse))).toBeLessThan(2_000);
    viaClient.close();
    viaSse.close();
    expect(viaClient.errors).toEqual([]);
  });

  it("resumes with Last-Event-ID, or from a snapshot's last_event_id, with exactly the missed changes in order", async () => {
    const { show, seats } = await newShow(3);
    const [s1, s2, s3] = seats as [(typeof seats)[0], (typeof seats)[0], (typeof seats)[0]];
    const first = await openEventStream(`${a.url}/shows/${show.id}/availability/events`);
    const early = await onB.reservations.hold.mutate({ seat_id: s1.id });
    await waitUntil("the first change", () => first.changes.length === 1, 5_000);
    first.close();
    const seen = (first.changes[0] as ReceivedChange).event_id;

    // Missed while away: a confirm, a hold and its release, a hold.
    await onB.reservations.confirm.mutate({ reservation_id: early.id });
    const second = await onB.reservations.hold.mutate({ seat_id: s2.id });
    await onB.reservations.release.mutate({ reservation_id: second.id });
    const snapshot = await onA.availability.get.query({ show_id: show.id });
    await onB.reservations.hold.mutate({ seat_id: s3.id });
    const missed = [
      [s1.seat_number, "CONFIRMED"],
      [s2.seat_number, "HELD"],
      [s2.seat_number, "AVAILABLE"],
      [s3.seat_number, "HELD"],
    ];

    const resumed = await openEventStream(`${a.url}/shows/${show.id}/availability/events`, {
      "last-event-id": String(seen),
    });
    const fromSnapshot = watchWithClient(onA, show.id, snapshot.last_event_id);
    await waitUntil(
      "the missed changes",
      () => resumed.changes.length >= 4 && fromSnapshot.changes.length >= 1,
      5_000,
    );
    // Anything more would be a repeat: give it the time to show up.
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(resumed.changes.map((change) => [change.seat_number, change.status])).toEqual(missed);
    const ids = resumed.changes.map((change) => change.event_id);
    expect(ids[0]).toBeGreaterThan(seen);
    expect([...ids].sort((x, y) => x - y)).toEqual(ids);
    // The snapshot has everything up to its last_event_id: the watch from it brings only the rest.
    expect(snapshot.seats.map((seat) => seat.status)).toEqual(["CONFIRMED", "AVAILABLE", "AVAILABLE"]);
    expect(fromSnapshot.changes.map((change) => [change.seat_number, change.status])).toEqual([
      [s3.seat_number, "HELD"],
    ]);
    expect(fromSnapshot.changes[0]?.event_id).toBe(ids[3]);
    resumed.close();
    fromSnapshot.close();
  });

  it("loses nothing when the LISTEN connection is cut and restored", async () => {
    const { show, seats } = await newShow(5);
    const onC = await openEventStream(`${c.url}/shows/${show.id}/availability/events`);
    await onB.reservations.hold.mutate({ seat_id: (seats[0] as { id: number }).id });
    await waitUntil("a change through the proxy", () => onC.changes.length === 1, 5_000);

    proxy.cut();
    for (const seat of seats.slice(1, 4)) await onB.reservations.hold.mutate({ seat_id: seat.id });
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(onC.changes).toHaveLength(1); // nothing can arrive while the link is down
    proxy.restore();
    // No change after the restore: what was missed can only come from the catch-up on reconnect.
    await waitUntil("the catch-up after the reconnect", () => onC.changes.length === 4, 15_000);
    // And the new LISTEN connection hears what follows.
    await onB.reservations.hold.mutate({ seat_id: (seats[4] as { id: number }).id });
    await waitUntil("a change after the reconnect", () => onC.changes.length === 5, 5_000);
    expect(onC.changes.map((change) => change.seat_number)).toEqual(seats.map((seat) => seat.seat_number));
    expect(onC.errors).toEqual([]);
    onC.close();
  }, 60_000);

  it("gives each of 200 concurrent watchers of one show every change", async () => {
    const { show, seats } = await newShow(20);
    const watchers = await Promise.all(
      Array.from({ length: 200 }, () => openEventStream(`${a.url}/shows/${show.id}/availability/events`)),
    );
    expect(watchers.map((watcher) => watcher.status)).toEqual(watchers.map(() => 200));
    // The instance's gauge counts them (and any stream of an earlier test not yet closed).
    expect(await liveWatchers(a.url)).toBeGreaterThanOrEqual(200);
    await Promise.all(seats.map((seat) => onB.reservations.hold.mutate({ seat_id: seat.id })));
    await waitUntil(
      "every watcher to see 20 changes",
      () => watchers.every((w) => w.changes.length >= 20),
      20_000,
    );
    const expected = (watchers[0] as EventStream).changes.map((change) => change.event_id);
    expect(new Set(expected).size).toBe(20);
    expect([...expected].sort((x, y) => x - y)).toEqual(expected);
    for (const watcher of watchers) {
      expect(watcher.changes.map((change) => change.event_id)).toEqual(expected);
      watcher.close();
    }
  }, 60_000);

  it("answers an unknown show with 404 SHOW_NOT_FOUND and a bad Last-Event-ID with 400, before any stream", async () => {
    const unknown = await fetch(`${a.url}/shows/999999/availability/events`);
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as { data: { reason: string } }).data.reason).toBe("SHOW_NOT_FOUND");
    const { show } = await newShow(1);
    for (const bad of ["abc", "0", "-1", "99999999999999999999"]) {
      const response = await fetch(`${a.url}/shows/${show.id}/availability/events`, {
        headers: { "last-event-id": bad },
      });
      expect(response.status, bad).toBe(400);
      expect(((await response.json()) as { data: { reason: string } }).data.reason).toBe("INVALID_INPUT");
    }
    const watch = watchWithClient(onA, 999_999);
    await waitUntil("the subscription's error", () => watch.errors.length === 1, 5_000);
    expect(getErrorReason(watch.errors[0])).toBe("SHOW_NOT_FOUND");
    watch.close();
  });

  it("is in the OpenAPI document as text/event-stream", async () => {
    const document = (await (await fetch(`${a.url}/openapi.json`)).json()) as {
      paths: Record<string, { get?: { responses: Record<string, { content?: Record<string, unknown> }> } }>;
    };
    const operation = document.paths["/shows/{show_id}/availability/events"]?.get;
    expect(Object.keys(operation?.responses["200"]?.content ?? {})).toEqual(["text/event-stream"]);
    expect(Object.keys(operation?.responses ?? {})).toEqual(["200", "400", "404", "408", "500", "503"]);
  });

  it("ends its streams cleanly when the server shuts down", async () => {
    const d = await startServerProcess(t.url, { EVENTFORGE_SHUTDOWN_TIMEOUT_MS: "30000" });
    const { show } = await newShow(1);
    const stream = await openEventStream(`${d.url}/shows/${show.id}/availability/events`);
    const viaClient = watchWithClient(createEventForgeClient({ url: d.url }), show.id);
    // Both streams open on the new instance, so the shutdown has both to end.
    await waitForWatchers(d.url, 2);
    await d.stop();
    // A stream closed by force (at the shutdown deadline) would fail the reader instead.
    await expect(stream.ended).resolves.toBeUndefined();
    // The tRPC client hears its own stream's end apart from the SSE reader's.
    await waitUntil("the tRPC stream's completion", () => viaClient.state.completed, 10_000);
    expect(viaClient.errors).toEqual([]);
  }, 60_000);
});
