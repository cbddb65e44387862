import type { Availability, Reservation, Seat, Show, User } from "@eventforge/domain";
import { describe, expect, expectTypeOf, it } from "vitest";
import { z } from "zod";
import { createOpenApiDocument } from "./openapi.js";
import {
  availabilityOutput,
  availabilitySeatSchema,
  type reservationSchema,
  type seatSchema,
  type showSchema,
  type userSchema,
} from "./schemas.js";

// The wire's entities are the domain's (whose types come from the database schema): these fail
// `pnpm typecheck` as soon as a column, a service's result or an output schema drifts from the others.
describe("output schemas", () => {
  it("describe exactly the entities the services return", () => {
    expectTypeOf<z.output<typeof userSchema>>().toEqualTypeOf<User>();
    expectTypeOf<z.output<typeof showSchema>>().toEqualTypeOf<Show>();
    expectTypeOf<z.output<typeof seatSchema>>().toEqualTypeOf<Seat>();
    expectTypeOf<z.output<typeof reservationSchema>>().toEqualTypeOf<Reservation>();
    expectTypeOf<z.output<typeof availabilityOutput>>().toEqualTypeOf<Availability>();
  });
});

describe("availability's output", () => {
  const seat = {
    seat_id: 1,
    seat_number: "A1",
    status: "HELD",
    hold_expiry: new Date("2026-11-24T12:10:00Z"),
  };
  const snapshot = (seats: unknown) => ({
    show_id: 4,
    as_of: new Date("2026-11-24T12:00:00Z"),
    counts: { total: 1, available: 0, held: 1, confirmed: 0 },
    last_event_id: null,
    seats,
    next_cursor: null,
  });

  it("passes a good seat list through as it is, without copying it", () => {
    const seats = [seat, { seat_id: 2, seat_number: "A2", status: "AVAILABLE", hold_expiry: null }];
    const parsed = availabilityOutput.parse(snapshot(seats));
    expect(parsed.seats).toBe(seats);
    expect(parsed).toEqual(snapshot(seats));
  });

  it("refuses every malformed seat that the documented seat schema refuses, and no other", () => {
    const { hold_expiry: _, ...withoutExpiry } = seat;
    const candidates: unknown[] = [
      seat,
      { ...seat, hold_expiry: null },
      { ...seat, status: "AVAILABLE" },
      { ...seat, seat_id: 2_147_483_647 },
      { ...seat, seat_id: 0 },
      { ...seat, seat_id: -1 },
      { ...seat, seat_id: 1.5 },
      { ...seat, seat_id: 2_147_483_648 },
      { ...seat, seat_id: "1" },
      { ...seat, seat_number: 1 },
      { ...seat, status: "EXPIRED" },
      { ...seat, hold_expiry: "2026-11-24T12:10:00Z" },
      { ...seat, hold_expiry: new Date(Number.NaN) },
      { ...seat, hold_expiry: undefined },
      withoutExpiry,
      null,
      "A1",
      [],
    ];
    const documented = z.array(availabilitySeatSchema);
    for (const candidate of candidates) {
      const expected = documented.safeParse([candidate]).success;
      expect(
        availabilityOutput.safeParse(snapshot([seat, candidate])).success,
        JSON.stringify(candidate),
      ).toBe(expected);
    }
    expect(candidates.filter((candidate) => documented.safeParse([candidate]).success)).toHaveLength(4);
  });

  it("is described in the OpenAPI document as the documented seat schema", () => {
    const { components } = createOpenApiDocument("http://localhost");
    const availability = components?.schemas?.Availability as { properties: Record<string, unknown> };
    expect(availability.properties.seats).toEqual({
      type: "array",
      items: {
        type: "object",
        properties: {
          seat_id: { type: "integer", exclusiveMinimum: 0, maximum: 2_147_483_647 },
          seat_number: { type: "string" },
          status: { type: "string", enum: ["AVAILABLE", "HELD", "CONFIRMED"] },
          hold_expiry: { anyOf: [{ type: "string", format: "date-time" }, { type: "null" }] },
        },
        required: ["seat_id", "seat_number", "status", "hold_expiry"],
        additionalProperties: false,
      },
    });
  });

  it("refuses what the document does not allow", () => {
    // an extra field (the document says additionalProperties: false) and a list that is not one
    expect(availabilityOutput.safeParse(snapshot([{ ...seat, user_id: 1 }])).success).toBe(false);
    expect(availabilityOutput.safeParse(snapshot({ 0: seat })).success).toBe(false);
    expect(availabilityOutput.safeParse(snapshot(undefined)).success).toBe(false);
  });
});
