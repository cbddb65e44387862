import { createUser } from "@eventforge/domain";
import { restRoute } from "../rest.js";
import { createUserInput, userSchema } from "../schemas.js";
import { publicProcedure, router } from "../trpc.js";

export const usersRouter = router({
  create: publicProcedure
    .meta(
      restRoute("POST", "/users", {
        summary: "Sign up a customer",
      }),
    )
    .input(createUserInput)
    .output(userSchema)
    .mutation(async ({ ctx, input }) => {
      await ctx.rateLimits.signups.consume(
        ctx.clientAddress ?? "local",
        "too many sign-ups from this address",
      );
      return createUser(ctx.db, input);
    }),
});
