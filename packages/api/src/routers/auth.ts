import { getUser, login } from "@eventforge/domain";
import { TRPCError } from "@trpc/server";
import { loginThrottleKey } from "../login-throttle.js";
import { restRoute } from "../rest.js";
import { loginInput, loginOutput, userSchema } from "../schemas.js";
import { publicProcedure, router, signedInProcedure } from "../trpc.js";

export const authRouter = router({
  login: publicProcedure
    .meta(
      restRoute("POST", "/auth/login", {
        summary: "Sign in: exchange email and password for a bearer token",
        access: "anyone",
        reasons: ["INVALID_CREDENTIALS"],
        throttled: true,
      }),
    )
    .input(loginInput)
    .output(loginOutput)
    .mutation(async ({ ctx, input }) => {
      const key = loginThrottleKey(ctx.clientAddress, input.email);
      const wait = await ctx.loginThrottle.attempt(key);
      if (wait > 0) {
        throw new TRPCError({
          code: "TOO_MANY_REQUESTS",
          message: `too many failed sign-ins: try again in ${wait} s`,
        });
      }
      const session = await login(ctx.db, ctx.tokens, input);
      await ctx.loginThrottle.reset(key);
      return session;
    }),

  me: signedInProcedure
    .meta(
      restRoute("GET", "/auth/me", { summary: "The signed-in user", access: "signed-in", validates: false }),
    )
    .output(userSchema)
    .query(({ ctx }) => getUser(ctx.db, ctx.actor.userId)),
});
