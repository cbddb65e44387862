import {
  confirmReservation,
  confirmReservations,
  getReservation,
  getReservationHistory,
  HOLD_MINUTES,
  holdSeat,
  holdSeats,
  listReservations,
  MAX_SEATS_PER_HOLD,
  releaseReservation,
} from "@eventforge/domain";
import type { Context } from "../context.js";
import { idempotently } from "../idempotency.js";
import { restRoute } from "../rest.js";
import {
  confirmManyInput,
  holdInput,
  holdManyInput,
  listReservationsInput,
  reservationHistorySchema,
  reservationIdInput,
  reservationListSchema,
  reservationPageSchema,
  reservationSchema,
  restHoldBody,
  restHoldInput,
  restHoldManyBody,
  restHoldManyInput,
} from "../schemas.js";
import { holdRateLimitedProcedure, router, signedInProcedure } from "../trpc.js";

/** The settings of the server that shape a hold. */
const holdPolicy = (ctx: Context) => ({ maxHoldsPerShow: ctx.maxHoldsPerShow });

/** The seed's REST hold, `POST /reservations/{user_id}/hold`: the service of `reservations.hold`. */
export const restHoldProcedure = holdRateLimitedProcedure
  .meta(
    restRoute("POST", "/reservations/{user_id}/hold", {
      summary: `Hold a seat for ${HOLD_MINUTES.min}–${HOLD_MINUTES.max} minutes (default ${HOLD_MINUTES.default})`,
      description:
        "Name the seat by `seat_id`, or by `show_id` and `seat_number` (normalized like any label). " +
        "Only an admin may hold a seat for another user. Two holds racing for one seat: one wins, " +
        "the other gets 409 SEAT_TAKEN. Holding a seat the user already holds returns that hold " +
        "unchanged. A user holds at most EVENTFORGE_MAX_HOLDS_PER_SHOW seats of one show at once " +
        "(409 HOLD_LIMIT_REACHED).",
      operationId: "reservations-hold",
      body: restHoldBody,
      idempotent: true,
    }),
  )
  .input(restHoldInput)
  .output(reservationSchema)
  .mutation(({ ctx, input }) =>
    idempotently(ctx, "rest.hold", input, (db) => holdSeat(db, input, ctx.actor, holdPolicy(ctx))),
  );

/** `POST /reservations/{user_id}/hold-many`: the service of `reservations.holdMany`. */
export const restHoldManyProcedure = holdRateLimitedProcedure
  .meta(
    restRoute("POST", "/reservations/{user_id}/hold-many", {
      summary: `Hold 1–${MAX_SEATS_PER_HOLD} seats of one show together, all or nothing`,
      description:
        "Name the seats by `seat_ids`, or by `show_id` and `seat_numbers`. If any is taken, none is " +
        "held and 409 SEAT_TAKEN lists every taken seat in `details.seats`; an unknown seat is 404 " +
        "SEAT_NOT_FOUND. New holds share one expiry; seats the user already holds are returned " +
        "unchanged; every seat counts towards the hold cap.",
      operationId: "reservations-hold-many",
      body: restHoldManyBody,
      idempotent: true,
    }),
  )
  .input(restHoldManyInput)
  .output(reservationListSchema)
  .mutation(({ ctx, input }) =>
    idempotently(ctx, "rest.holdMany", input, (db) => holdSeats(db, input, ctx.actor, holdPolicy(ctx))),
  );

export const reservationsRouter = router({
  hold: holdRateLimitedProcedure
    .input(holdInput)
    .output(reservationSchema)
    .mutation(({ ctx, input: { user_id, hold_minutes, ...seat } }) =>
      idempotently(ctx, "reservations.hold", { user_id, hold_minutes, ...seat }, (db) =>
        holdSeat(db, { seat, user_id, hold_minutes }, ctx.actor, holdPolicy(ctx)),
      ),
    ),

  holdMany: holdRateLimitedProcedure
    .input(holdManyInput)
    .output(reservationListSchema)
    .mutation(({ ctx, input: { user_id, hold_minutes, ...seats } }) =>
      idempotently(ctx, "reservations.holdMany", { user_id, hold_minutes, ...seats }, (db) =>
        holdSeats(db, { seats, user_id, hold_minutes }, ctx.actor, holdPolicy(ctx)),
      ),
    ),

  confirm: signedInProcedure
    .meta(
      restRoute("POST", "/reservations/{reservation_id}/confirm", {
        summary: "Confirm (buy) a held seat; confirming a confirmed reservation returns it unchanged",
        idempotent: true,
      }),
    )
    .input(reservationIdInput)
    .output(reservationSchema)
    .mutation(({ ctx, input }) =>
      idempotently(ctx, "reservations.confirm", input, (db) => confirmReservation(db, input, ctx.actor)),
    ),

  confirmMany: signedInProcedure
    .meta(
      restRoute("POST", "/reservations/confirm-many", {
        summary: `Confirm 1–${MAX_SEATS_PER_HOLD} reservations together, all or nothing`,
        description:
          "If any hold has lapsed, those become EXPIRED, none is confirmed, and 409 HOLD_EXPIRED names " +
          "them in `details.reservation_ids`. Already confirmed reservations count as confirmed.",
        operationId: "reservations-confirm-many",
        idempotent: true,
      }),
    )
    .input(confirmManyInput)
    .output(reservationListSchema)
    .mutation(({ ctx, input }) =>
      idempotently(ctx, "reservations.confirmMany", input, (db) => confirmReservations(db, input, ctx.actor)),
    ),

  release: signedInProcedure
    .meta(
      restRoute("POST", "/reservations/{reservation_id}/release", {
        summary: "Release a hold; releasing a released or expired reservation returns it unchanged",
        description: "Only an admin may cancel a confirmed booking.",
        idempotent: true,
      }),
    )
    .input(reservationIdInput)
    .output(reservationSchema)
    .mutation(({ ctx, input }) =>
      idempotently(ctx, "reservations.release", input, (db) => releaseReservation(db, input, ctx.actor)),
    ),

  list: signedInProcedure
    .meta(
      restRoute("GET", "/reservations", {
        summary: "Your reservations, newest first, one page at a time",
        description:
          "Filter by `status` (as each stands now: a lapsed hold is EXPIRED) and `show_id`; pass a " +
          "page's `next_cursor` as `cursor` for the next one. An admin may name `user_id`; anyone " +
          "else naming another user gets 403.",
        operationId: "reservations-list",
      }),
    )
    .input(listReservationsInput)
    .output(reservationPageSchema)
    .query(({ ctx, input }) => listReservations(ctx.db, input, ctx.actor)),

  get: signedInProcedure
    .meta(
      restRoute("GET", "/reservations/{reservation_id}", {
        summary: "A reservation, with a lapsed hold reported as EXPIRED",
      }),
    )
    .input(reservationIdInput)
    .output(reservationSchema)
    .query(({ ctx, input }) => getReservation(ctx.db, input, ctx.actor)),

  history: signedInProcedure
    .meta(
      restRoute("GET", "/reservations/{reservation_id}/history", {
        summary: "Every change of a reservation, oldest first, with who made it (null: the system)",
      }),
    )
    .input(reservationIdInput)
    .output(reservationHistorySchema)
    .query(({ ctx, input }) => getReservationHistory(ctx.db, input, ctx.actor)),
});
