import { getUser, login } from "@eventforge/domain";
import { loginFailureKey } from "../rate-limits.js";
import { restRoute } from "../rest.js";
import { loginInput, loginOutput, userSchema } from "../schemas.js";
import { publicProcedure, router, signedInProcedure } from "../trpc.js";

export const authRouter = router({
  login: publicProcedure
    .meta(
      restRoute("POST", "/auth/login", {
        summary: "Sign in: exchange email and password for a bearer token",
      }),
    )
    .input(loginInput)
    .output(loginOutput)
    .mutation(async ({ ctx, input }) => {
      // Every attempt counts against its address (across emails) and against its (address, email)
      // pair before the password is checked, so concurrent guesses cannot slip past either limit;
      // a success clears the pair's count.
      await ctx.rateLimits.loginsPerAddress.consume(
        ctx.clientAddress ?? "local",
        "too many sign-ins from this address",
      );
      const key = loginFailureKey(ctx.clientAddress, input.email);
      await ctx.rateLimits.loginFailures.consume(key, "too many failed sign-ins");
      const session = await login(ctx.db, ctx.tokens, input);
      await ctx.rateLimits.loginFailures.reset(key);
      return session;
    }),

  me: signedInProcedure
    .meta(restRoute("GET", "/auth/me", { summary: "The signed-in user" }))
    .output(userSchema)
    .query(({ ctx }) => getUser(ctx.db, ctx.actor.userId)),
});
