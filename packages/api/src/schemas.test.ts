import type { Availability, Reservation, Seat, Show, User } from "@eventforge/domain";
import { describe, expectTypeOf, it } from "vitest";
import type { z } from "zod";
import type { availabilityOutput, reservationSchema, seatSchema, showSchema, userSchema } from "./schemas.js";

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
