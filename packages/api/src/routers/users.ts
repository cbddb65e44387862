import { createUser } from "@eventforge/domain";
import { createUserInput, userSchema } from "../schemas.js";
import { publicProcedure, router } from "../trpc.js";

export const usersRouter = router({
  create: publicProcedure
    .input(createUserInput)
    .output(userSchema)
    .mutation(({ ctx, input }) => createUser(ctx.db, input)),
});
