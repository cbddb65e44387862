// The domain's rules that programs on the client side apply too: the CLI spells labels the way the
// server stores them to find repeats before sending, and its help states the hold's limits. This
// module imports nothing, so @eventforge/client can carry it (its build inlines this file) without
// taking the server's code along.

/** How long a hold lasts, in whole minutes (docs/design.md, Hold). */
export const HOLD_MINUTES = { min: 1, max: 20, default: 10 } as const;

/** Seats one holdMany (and reservations one confirmMany) may take at once, all or none. */
export const MAX_SEATS_PER_HOLD = 10;

/**
 * The stored spelling of a seat label: trimmed, whitespace runs collapsed to one space, uppercased
 * (`" c5 "` → `"C5"`). normalizeSeatLabel spells a label with it and then validates the result.
 */
export function spellSeatLabel(raw: string): string {
  return raw.trim().replace(/\s+/gu, " ").toUpperCase();
}
