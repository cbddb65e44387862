import type { Migration, MigrationProvider } from "kysely";
import * as initialSchema from "./2026_11_24_0001_initial_schema.js";
import * as reservationEvents from "./2026_12_01_0001_reservation_events.js";
import * as holdCap from "./2026_12_01_0002_hold_cap.js";
import * as rateLimits from "./2026_12_01_0003_rate_limits.js";
import * as idempotencyKeys from "./2026_12_01_0004_idempotency_keys.js";
import * as reservationsByUser from "./2026_12_01_0005_reservations_by_user.js";
import * as eventsAtCommit from "./2026_12_02_0001_events_at_commit.js";

// Listed explicitly (not read from disk) so migrations work the same under tsx, vitest and a bundle.
const migrations: Record<string, Migration> = {
  "2026_11_24_0001_initial_schema": initialSchema,
  "2026_12_01_0001_reservation_events": reservationEvents,
  "2026_12_01_0002_hold_cap": holdCap,
  "2026_12_01_0003_rate_limits": rateLimits,
  "2026_12_01_0004_idempotency_keys": idempotencyKeys,
  "2026_12_01_0005_reservations_by_user": reservationsByUser,
  "2026_12_02_0001_events_at_commit": eventsAtCommit,
};

export const migrationProvider: MigrationProvider = {
  getMigrations: async () => migrations,
};
