// The api's limits that programs on the client side also need (the CLI chunks seat imports, checks
// ids before it sends them and states the hold's limits in its help; the client batches calls).
// This module imports nothing but the domain's import-free shared rules, so @eventforge/client can
// re-export it (its build inlines both files) without taking the server's code along.

export { HOLD_MINUTES, MAX_SEATS_PER_HOLD, spellSeatLabel } from "@eventforge/domain/shared-rules";

/** The largest id an input may name: PostgreSQL's integer, the type of the id columns. */
export const MAX_ID = 2_147_483_647;

/** Seat labels one seats.add request may carry. */
export const MAX_SEATS_PER_REQUEST = 10_000;

/** Calls one tRPC request may carry unless the server sets EVENTFORGE_MAX_BATCH otherwise. */
export const DEFAULT_MAX_BATCH = 10;
