import { addSeats, listSeats } from "@eventforge/domain";
import { restRoute } from "../rest.js";
import { addSeatsInput, seatsOutput, showIdInput } from "../schemas.js";
import { adminProcedure, publicProcedure, router } from "../trpc.js";

export const seatsRouter = router({
  add: adminProcedure
    .meta(
      restRoute("POST", "/shows/{show_id}/seats", {
        summary: "Add seats to a show",
        description:
          "Labels are normalized (trimmed, spaces collapsed, uppercased). All or nothing: a label repeated " +
          "in the request or already on the show is a 409 naming the labels, and nothing is added.",
      }),
    )
    .input(addSeatsInput)
    .output(seatsOutput)
    .mutation(({ ctx, input }) => addSeats(ctx.db, input)),

  list: publicProcedure
    .meta(
      restRoute("GET", "/shows/{show_id}/seats", {
        summary: "The seats of a show, in natural order",
      }),
    )
    .input(showIdInput)
    .output(seatsOutput)
    .query(({ ctx, input }) => listSeats(ctx.db, input.show_id)),
});
