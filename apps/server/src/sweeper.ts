import type { Database } from "@eventforge/db";
import { expireLapsedHolds, purgeExpiredIdempotencyKeys } from "@eventforge/domain";
import type { Logger } from "pino";

/** Holds of one show one sweep statement expires at most. */
export const SWEEP_BATCH_SIZE = 500;

export interface Sweeper {
  start(): void;
  /** Stops the timer and waits for a sweep in progress, so the pool can close after it. */
  stop(): Promise<void>;
}

/**
 * Runs the expiry sweeper (docs/design.md) every `intervalMs` (0: never): each sweep marks every lapsed
 * hold EXPIRED (expireLapsedHolds). The next sweep is timed from the end of the last, so sweeps
 * never overlap; a failed sweep (the database away) is logged and the next one tries again.
 * `onExpired` hears how many holds each sweep expired (for the metrics).
 */
export function createSweeper(options: {
  db: Database;
  intervalMs: number;
  logger: Logger;
  onExpired?: (count: number) => void;
}): Sweeper {
  const { db, logger } = options;
  return every(options.intervalMs, async () => {
    try {
      const expired = await expireLapsedHolds(db, { batchSize: SWEEP_BATCH_SIZE });
      if (expired > 0) logger.debug({ expired }, "expired lapsed holds");
      options.onExpired?.(expired);
    } catch (error) {
      logger.warn({ err: error }, "expiry sweep failed; retrying at the next interval");
    }
  });
}

/** How often each instance deletes expired idempotency keys: they only cost space meanwhile. */
export const IDEMPOTENCY_PURGE_INTERVAL_MS = 60_000;
/** Expired idempotency keys one purge statement deletes at most. */
const PURGE_BATCH_SIZE = 1_000;

/**
 * Deletes expired idempotency keys (docs/design.md, Idempotency keys) every `intervalMs`, in
 * bounded batches that skip rows others have locked, so several instances share the work. A failed
 * purge is logged and tried again at the next interval.
 */
export function createIdempotencyPurge(options: {
  db: Database;
  intervalMs: number;
  logger: Logger;
}): Sweeper {
  const { db, logger } = options;
  return every(options.intervalMs, async () => {
    try {
      const purged = await purgeExpiredIdempotencyKeys(db, { batchSize: PURGE_BATCH_SIZE });
      if (purged > 0) logger.debug({ purged }, "purged expired idempotency keys");
    } catch (error) {
      logger.warn({ err: error }, "idempotency key purge failed; retrying at the next interval");
    }
  });
}

/** Runs `work` every `intervalMs` (0: never), each run timed from the end of the last. */
function every(intervalMs: number, work: () => Promise<void>): Sweeper {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let stopped = false;
  const schedule = () => {
    if (stopped) return;
    timer = setTimeout(() => {
      running = work().finally(() => {
        running = undefined;
        schedule();
      });
    }, intervalMs);
  };

  return {
    start() {
      if (intervalMs > 0 && timer === undefined && !stopped) schedule();
    },
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}
