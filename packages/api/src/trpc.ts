import { DomainError, ForbiddenError, NotAuthenticatedError } from "@eventforge/domain";
import { initTRPC } from "@trpc/server";
import type { OpenApiMeta } from "trpc-to-openapi";
import type { Context } from "./context.js";
import { domainErrorToTRPCError, errorData, publicMessage } from "./errors.js";
import { transformer } from "./transformer.js";

// `meta.openapi` puts a procedure on the REST surface as well (see rest.ts).
const t = initTRPC
  .context<Context>()
  .meta<OpenApiMeta>()
  .create({
    // superjson on the wire; outputs of plain data take a faster path to the same result.
    transformer,
    // Stack traces never leave the server, whatever NODE_ENV says.
    isDev: false,
    errorFormatter({ shape, error }) {
      const data = errorData(error);
      return {
        ...shape,
        message: publicMessage(error, data, shape.message),
        data: { ...shape.data, ...data },
      };
    },
  });

export const createCallerFactory = t.createCallerFactory;
export const router = t.router;
export const mergeRouters = t.mergeRouters;

/** Turns a domain error thrown by a service into its TRPCError, in this one place. */
const mapDomainErrors = t.middleware(async ({ next }) => {
  const result = await next();
  if (!result.ok && result.error.cause instanceof DomainError) {
    throw domainErrorToTRPCError(result.error.cause);
  }
  return result;
});

export const publicProcedure = t.procedure.use(mapDomainErrors);

export const signedInProcedure = publicProcedure.use(({ ctx, next }) => {
  if (!ctx.actor) throw ctx.authError ?? new NotAuthenticatedError();
  return next({ ctx: { ...ctx, actor: ctx.actor } });
});

export const adminProcedure = signedInProcedure.use(({ ctx, next }) => {
  if (ctx.actor.role !== "admin") throw new ForbiddenError("this needs an admin account");
  return next();
});
