import { createUser } from "@eventforge/domain";
import { restRoute } from "../rest.js";
import { createUserInput, userSchema } from "../schemas.js";
import { publicProcedure, router } from "../trpc.js";

export const usersRouter = router({
  create: publicProcedure
    .meta(
      restRoute("POST", "/users/", {
        summary: "Sign up a customer",
        access: "anyone",
        reasons: ["EMAIL_TAKEN"],
      }),
    )
    .input(createUserInput)
    .output(userSchema)
    .mutation(({ ctx, input }) => createUser(ctx.db, input)),
});
