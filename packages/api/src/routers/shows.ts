import { createShow, getShow, listShows } from "@eventforge/domain";
import { restRoute } from "../rest.js";
import { createShowInput, listShowsInput, showIdInput, showPageSchema, showSchema } from "../schemas.js";
import { adminProcedure, publicProcedure, router } from "../trpc.js";

export const showsRouter = router({
  create: adminProcedure
    .meta(restRoute("POST", "/shows", { summary: "Create a show" }))
    .input(createShowInput)
    .output(showSchema)
    .mutation(({ ctx, input }) => createShow(ctx.db, input)),

  list: publicProcedure
    .meta(
      restRoute("GET", "/shows", {
        summary: "List shows, soonest first",
        description: "Pass `next_cursor` of a page as `cursor` to get the next one.",
      }),
    )
    .input(listShowsInput)
    .output(showPageSchema)
    .query(({ ctx, input }) => listShows(ctx.db, input)),

  get: publicProcedure
    .meta(
      restRoute("GET", "/shows/{show_id}", {
        summary: "A show",
      }),
    )
    .input(showIdInput)
    .output(showSchema)
    .query(({ ctx, input }) => getShow(ctx.db, input.show_id)),
});
