import { confirmReservation, getReservation, holdSeat, releaseReservation } from "@eventforge/domain";
import { holdInput, reservationIdInput, reservationSchema } from "../schemas.js";
import { router, signedInProcedure } from "../trpc.js";

export const reservationsRouter = router({
  hold: signedInProcedure
    .input(holdInput)
    .output(reservationSchema)
    .mutation(({ ctx, input: { user_id, hold_minutes, ...seat } }) =>
      holdSeat(ctx.db, { seat, user_id, hold_minutes }, ctx.actor),
    ),

  confirm: signedInProcedure
    .input(reservationIdInput)
    .output(reservationSchema)
    .mutation(({ ctx, input }) => confirmReservation(ctx.db, input, ctx.actor)),

  release: signedInProcedure
    .input(reservationIdInput)
    .output(reservationSchema)
    .mutation(({ ctx, input }) => releaseReservation(ctx.db, input, ctx.actor)),

  get: signedInProcedure
    .input(reservationIdInput)
    .output(reservationSchema)
    .query(({ ctx, input }) => getReservation(ctx.db, input, ctx.actor)),
});
