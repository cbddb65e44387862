import { getAvailability } from "@eventforge/domain";
import { restRoute } from "../rest.js";
import { availabilityInput, availabilityOutput } from "../schemas.js";
import { publicProcedure, router } from "../trpc.js";

export const availabilityRouter = router({
  get: publicProcedure
    .meta(
      restRoute("GET", "/shows/{show_id}/availability", {
        summary: "Every seat of a show as AVAILABLE, HELD (with its expiry) or CONFIRMED, at database time",
        description:
          "`counts` are of the whole show. `status` keeps only the seats with that status; `limit` " +
          "(1–1000) pages through them in natural order: pass `next_cursor` as `cursor` for the next " +
          "page (null on the last). Without `limit`, every seat comes back.",
      }),
    )
    .input(availabilityInput)
    .output(availabilityOutput)
    .query(({ ctx, input: { show_id, ...query } }) => getAvailability(ctx.db, show_id, query)),
});
