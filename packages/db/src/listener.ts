import pg from "pg";

/** The channel the reservation_events trigger notifies on every transition. */
export const SEAT_CHANGES_CHANNEL = "seat_changes";

export interface SeatChangeNotice {
  show_id: number;
  event_id: number;
}

export interface SeatChangeListenerOptions {
  connectionString: string;
  /** A change was committed (a notice may arrive late or be lost: catch up after `onListening`). */
  onNotice(notice: SeatChangeNotice): void;
  /**
   * LISTEN is in place on a new connection (the first, or one after a drop): notices sent while
   * there was none are lost, so whoever listens reads what it missed from reservation_events now.
   */
  onListening(): void;
  /** The connection failed or dropped; the listener retries by itself after `retryInMs`. */
  onConnectionLost?(error: Error, retryInMs: number): void;
  /** How often the idle connection is probed, so a silent (stalled) link is noticed. */
  heartbeatIntervalMs?: number;
  /** How long a probe may take before the connection is given up. */
  heartbeatTimeoutMs?: number;
  /** First reconnect delay; it doubles after each failure up to `maxBackoffMs`. */
  minBackoffMs?: number;
  maxBackoffMs?: number;
}

export interface SeatChangeListener {
  /** Resolves after the first attempt to connect; if it failed, the listener keeps retrying. */
  start(): Promise<void>;
  /** Ends the connection and the retries. */
  stop(): Promise<void>;
}

/**
 * One dedicated connection (never a pooled one: LISTEN belongs to a session) that LISTENs on
 * seat_changes (docs/design.md, Live availability). When it drops, or stops answering its
 * heartbeat, it is replaced with exponential backoff; each new connection calls `onListening`.
 */
export function createSeatChangeListener(options: SeatChangeListenerOptions): SeatChangeListener {
  const heartbeatIntervalMs = options.heartbeatIntervalMs ?? 5_000;
  const heartbeatTimeoutMs = options.heartbeatTimeoutMs ?? 3_000;
  const minBackoffMs = options.minBackoffMs ?? 100;
  const maxBackoffMs = options.maxBackoffMs ?? 5_000;
  let client: pg.Client | undefined;
  let heartbeat: NodeJS.Timeout | undefined;
  let retry: NodeJS.Timeout | undefined;
  let failures = 0;
  let stopped = false;

  const onNotification = (message: pg.Notification) => {
    if (message.channel !== SEAT_CHANGES_CHANNEL || !message.payload) return;
    const notice = parseNotice(message.payload);
    if (notice) options.onNotice(notice);
  };

  /** Drops `lost` (if it is still the current connection) and schedules the next attempt. */
  const replace = (lost: pg.Client, error: Error) => {
    if (client !== lost) return;
    client = undefined;
    clearInterval(heartbeat);
    destroy(lost);
    if (stopped) return;
    const delay = Math.min(maxBackoffMs, minBackoffMs * 2 ** failures);
    failures++;
    options.onConnectionLost?.(error, delay);
    retry = setTimeout(() => {
      retry = undefined;
      connect().catch(() => {
        // connect() has already scheduled the next attempt.
      });
    }, delay);
  };

  const connect = async () => {
    const next = new pg.Client({
      connectionString: options.connectionString,
      keepAlive: true,
      connectionTimeoutMillis: heartbeatTimeoutMs,
    });
    client = next;
    next.on("notification", onNotification);
    next.on("error", (error) => replace(next, error));
    next.on("end", () => replace(next, new Error("the LISTEN connection ended")));
    try {
      await next.connect();
      await withTimeout(next.query(`LISTEN ${SEAT_CHANGES_CHANNEL}`), heartbeatTimeoutMs);
    } catch (error) {
      replace(next, error as Error);
      throw error;
    }
    if (client !== next) throw new Error("the LISTEN connection was lost while it started");
    failures = 0;
    heartbeat = setInterval(() => {
      withTimeout(next.query("SELECT 1"), heartbeatTimeoutMs).catch((error: unknown) =>
        replace(next, error as Error),
      );
    }, heartbeatIntervalMs);
    options.onListening();
  };

  return {
    async start() {
      stopped = false;
      await connect().catch(() => {
        // Reported through onConnectionLost; the retries are scheduled.
      });
    },
    async stop() {
      stopped = true;
      clearTimeout(retry);
      clearInterval(heartbeat);
      const current = client;
      client = undefined;
      if (current) await withTimeout(current.end(), heartbeatTimeoutMs).catch(() => destroy(current));
    },
  };
}

function parseNotice(payload: string): SeatChangeNotice | undefined {
  try {
    const value = JSON.parse(payload) as Partial<SeatChangeNotice>;
    if (Number.isSafeInteger(value.show_id) && Number.isSafeInteger(value.event_id)) {
      return { show_id: value.show_id as number, event_id: value.event_id as number };
    }
  } catch {
    // Not ours: ignored.
  }
  return undefined;
}

/** A stalled socket cannot be ended politely (end() waits for the server): destroy it. */
function destroy(client: pg.Client) {
  (client as unknown as { connection?: { stream?: { destroy(): void } } }).connection?.stream?.destroy();
}

async function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer from the database within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}
