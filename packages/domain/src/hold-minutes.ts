import { z } from "zod";
import { InvalidInputError } from "./errors.js";
import { HOLD_MINUTES } from "./shared-rules.js";

/**
 * The one statement of the hold_minutes rule: the api's input schemas use it as their field (so
 * tRPC, REST, OpenAPI and the client's types say the same), and holdSeat / holdSeats parse with
 * it, so a caller that skips the api (createCaller, another service) meets the same rule.
 */
export const holdMinutesSchema = z
  .number()
  .int()
  .min(HOLD_MINUTES.min)
  .max(HOLD_MINUTES.max)
  .default(HOLD_MINUTES.default);

/** hold_minutes as the hold statement takes it: the default when absent, else a valid value. */
export function holdMinutesOf(value: number | undefined): number {
  const parsed = holdMinutesSchema.safeParse(value);
  if (!parsed.success) {
    throw new InvalidInputError(
      `hold_minutes must be a whole number from ${HOLD_MINUTES.min} to ${HOLD_MINUTES.max}`,
      { field: "hold_minutes" },
    );
  }
  return parsed.data;
}
