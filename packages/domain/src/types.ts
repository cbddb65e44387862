import type {
  AvailabilitySnapshot,
  ReservationRow,
  ReservationStatus,
  Seats,
  Shows,
  Users,
} from "@eventforge/db";
import type { Selectable } from "kysely";

// The entities as the services return them, derived from the generated table types (one home:
// the schema); the api package's output schemas are checked against these (schemas.test-d).

export type Role = Users["role"];

/** Who is calling: taken from a verified access token. */
export interface Actor {
  userId: number;
  role: Role;
}

/** A user as anyone may see it: never the password hash. */
export type User = Omit<Selectable<Users>, "password_hash">;

export type Show = Selectable<Shows>;

/** A seat as the wire has it; its sort key is for ordering only. */
export type Seat = Omit<Selectable<Seats>, "sort_key">;

export type { ReservationStatus };

export type Reservation = ReservationRow;

export type Availability = AvailabilitySnapshot;

export const isAdmin = (actor: Actor) => actor.role === "admin";
