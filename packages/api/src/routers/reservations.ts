import { confirmReservation, getReservation, holdSeat, releaseReservation } from "@eventforge/domain";
import { restRoute } from "../rest.js";
import { holdInput, reservationIdInput, reservationSchema, restHoldInput } from "../schemas.js";
import { holdRateLimitedProcedure, router, signedInProcedure } from "../trpc.js";

/** The seed's REST hold, `POST /reservations/{user_id}/hold`: the service of `reservations.hold`. */
export const restHoldProcedure = holdRateLimitedProcedure
  .meta(
    restRoute("POST", "/reservations/{user_id}/hold", {
      summary: "Hold a seat for 1–20 minutes (default 10)",
      description:
        "Name the seat by `seat_id`, or by `show_id` and `seat_number` (normalized like any label). " +
        "Only an admin may hold a seat for another user. Two holds racing for one seat: one wins, " +
        "the other gets 409 SEAT_TAKEN.",
      access: "signed-in",
      operationId: "reservations-hold",
      reasons: [
        "FORBIDDEN",
        "USER_NOT_FOUND",
        "SHOW_NOT_FOUND",
        "SEAT_NOT_FOUND",
        "SEAT_TAKEN",
        "SHOW_STARTED",
      ],
      throttled: true,
    }),
  )
  .input(restHoldInput)
  .output(reservationSchema)
  .mutation(({ ctx, input }) => holdSeat(ctx.db, input, ctx.actor));

export const reservationsRouter = router({
  hold: holdRateLimitedProcedure
    .input(holdInput)
    .output(reservationSchema)
    .mutation(({ ctx, input: { user_id, hold_minutes, ...seat } }) =>
      holdSeat(ctx.db, { seat, user_id, hold_minutes }, ctx.actor),
    ),

  confirm: signedInProcedure
    .meta(
      restRoute("POST", "/reservations/{reservation_id}/confirm", {
        summary: "Confirm (buy) a held seat; confirming a confirmed reservation returns it unchanged",
        access: "signed-in",
        reasons: ["RESERVATION_NOT_FOUND", "HOLD_EXPIRED", "INVALID_TRANSITION"],
      }),
    )
    .input(reservationIdInput)
    .output(reservationSchema)
    .mutation(({ ctx, input }) => confirmReservation(ctx.db, input, ctx.actor)),

  release: signedInProcedure
    .meta(
      restRoute("POST", "/reservations/{reservation_id}/release", {
        summary: "Release a hold; releasing a released or expired reservation returns it unchanged",
        description: "Only an admin may cancel a confirmed booking.",
        access: "signed-in",
        reasons: ["RESERVATION_NOT_FOUND", "INVALID_TRANSITION"],
      }),
    )
    .input(reservationIdInput)
    .output(reservationSchema)
    .mutation(({ ctx, input }) => releaseReservation(ctx.db, input, ctx.actor)),

  get: signedInProcedure
    .meta(
      restRoute("GET", "/reservations/{reservation_id}", {
        summary: "A reservation, with a lapsed hold reported as EXPIRED",
        access: "signed-in",
        reasons: ["RESERVATION_NOT_FOUND"],
      }),
    )
    .input(reservationIdInput)
    .output(reservationSchema)
    .query(({ ctx, input }) => getReservation(ctx.db, input, ctx.actor)),
});
