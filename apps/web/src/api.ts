// The one client of the app: `@eventforge/client` (the api package only as types, through it),
// calling the server that served the page, with the signed-in user's token.
import { createEventForgeClient, type RouterOutputs } from "@eventforge/client";
import { session } from "./session";

export const api = createEventForgeClient({
  url: window.location.origin,
  token: () => session.current()?.access_token,
});

export type Show = RouterOutputs["shows"]["get"];
export type Availability = RouterOutputs["availability"]["get"];
export type SeatState = Availability["seats"][number];
export type Reservation = RouterOutputs["reservations"]["get"];
