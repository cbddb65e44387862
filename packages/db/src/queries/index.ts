export * from "./availability.js";
export * from "./idempotency.js";
export * from "./reservations.js";
export * from "./seat-changes.js";
export * from "./seats.js";
export * from "./shows.js";
export * from "./users.js";
