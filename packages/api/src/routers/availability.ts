import { getAvailability } from "@eventforge/domain";
import { availabilityOutput, showIdInput } from "../schemas.js";
import { publicProcedure, router } from "../trpc.js";

export const availabilityRouter = router({
  get: publicProcedure
    .input(showIdInput)
    .output(availabilityOutput)
    .query(({ ctx, input }) => getAvailability(ctx.db, input.show_id)),
});
