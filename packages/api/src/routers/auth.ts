import { getUser, login } from "@eventforge/domain";
import { loginInput, loginOutput, userSchema } from "../schemas.js";
import { publicProcedure, router, signedInProcedure } from "../trpc.js";

export const authRouter = router({
  login: publicProcedure
    .input(loginInput)
    .output(loginOutput)
    .mutation(({ ctx, input }) => login(ctx.db, ctx.tokens, input)),

  me: signedInProcedure.output(userSchema).query(({ ctx }) => getUser(ctx.db, ctx.actor.userId)),
});
