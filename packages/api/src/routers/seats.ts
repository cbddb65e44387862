import { addSeats, listSeats } from "@eventforge/domain";
import { addSeatsInput, seatsOutput, showIdInput } from "../schemas.js";
import { adminProcedure, publicProcedure, router } from "../trpc.js";

export const seatsRouter = router({
  add: adminProcedure
    .input(addSeatsInput)
    .output(seatsOutput)
    .mutation(({ ctx, input }) => addSeats(ctx.db, input)),

  list: publicProcedure
    .input(showIdInput)
    .output(seatsOutput)
    .query(({ ctx, input }) => listSeats(ctx.db, input.show_id)),
});
