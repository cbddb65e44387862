import type { AvailabilitySnapshot, ReservationStatus } from "@eventforge/db";

export type Role = "customer" | "admin";

/** Who is calling: taken from a verified access token. */
export interface Actor {
  userId: number;
  role: Role;
}

export interface User {
  id: number;
  name: string;
  phone_number: string;
  email: string;
  role: Role;
  created_at: Date;
}

export interface Show {
  id: number;
  title: string;
  venue: string;
  starts_at: Date;
  created_at: Date;
}

export interface Seat {
  id: number;
  show_id: number;
  seat_number: string;
}

export type { ReservationStatus };

export interface Reservation {
  id: number;
  user_id: number;
  seat_id: number;
  show_id: number;
  status: ReservationStatus;
  hold_expiry: Date;
  created_at: Date;
  updated_at: Date;
}

export type Availability = AvailabilitySnapshot;

export const isAdmin = (actor: Actor) => actor.role === "admin";
