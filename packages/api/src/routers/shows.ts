import { createShow, getShow, listShows } from "@eventforge/domain";
import { createShowInput, listShowsInput, showIdInput, showPageSchema, showSchema } from "../schemas.js";
import { adminProcedure, publicProcedure, router } from "../trpc.js";

export const showsRouter = router({
  create: adminProcedure
    .input(createShowInput)
    .output(showSchema)
    .mutation(({ ctx, input }) => createShow(ctx.db, input)),

  list: publicProcedure
    .input(listShowsInput)
    .output(showPageSchema)
    .query(({ ctx, input }) => listShows(ctx.db, input)),

  get: publicProcedure
    .input(showIdInput)
    .output(showSchema)
    .query(({ ctx, input }) => getShow(ctx.db, input.show_id)),
});
