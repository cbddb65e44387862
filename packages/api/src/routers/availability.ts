import { getAvailability } from "@eventforge/domain";
import { restRoute } from "../rest.js";
import { availabilityOutput, showIdInput } from "../schemas.js";
import { publicProcedure, router } from "../trpc.js";

export const availabilityRouter = router({
  get: publicProcedure
    .meta(
      restRoute("GET", "/shows/{show_id}/availability", {
        summary: "Every seat of a show as AVAILABLE, HELD (with its expiry) or CONFIRMED, at database time",
      }),
    )
    .input(showIdInput)
    .output(availabilityOutput)
    .query(({ ctx, input }) => getAvailability(ctx.db, input.show_id)),
});
