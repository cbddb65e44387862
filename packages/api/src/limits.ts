// The api's input limits that programs on the client side also need (the CLI chunks seat imports
// and checks ids before it sends them). This module imports nothing, so @eventforge/client can
// re-export it (its build inlines this file) without taking the server's code along.

/** The largest id an input may name: PostgreSQL's integer, the type of the id columns. */
export const MAX_ID = 2_147_483_647;

/** Seat labels one seats.add request may carry. */
export const MAX_SEATS_PER_REQUEST = 10_000;
