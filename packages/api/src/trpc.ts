import { currentActor, ForbiddenError, NotAuthenticatedError } from "@eventforge/domain";
import { initTRPC } from "@trpc/server";
import type { Context } from "./context.js";
import { asDomainError, domainErrorToTRPCError, errorData, publicMessage } from "./errors.js";
import type { ProcedureMeta } from "./rest.js";
import { transformer } from "./transformer.js";

/** How often an idle live stream carries a keep-alive (docs/design.md: at least every 15 s). */
export const SSE_PING_INTERVAL_MS = 10_000;

// `meta.openapi` puts a procedure on the REST surface as well (see rest.ts).
const t = initTRPC
  .context<Context>()
  .meta<ProcedureMeta>()
  .create({
    // superjson on the wire; outputs of plain data take a faster path to the same result.
    transformer,
    // Stack traces never leave the server, whatever NODE_ENV says.
    isDev: false,
    // Subscriptions (availability.watch) over SSE: a ping comment while nothing happens keeps
    // proxies from closing the stream, and a client that hears nothing for longer reconnects
    // (resuming by its last event id).
    sse: {
      ping: { enabled: true, intervalMs: SSE_PING_INTERVAL_MS },
      client: { reconnectAfterInactivityMs: SSE_PING_INTERVAL_MS * 3 },
    },
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

/**
 * Turns a domain error thrown by a service, or a database that cannot be reached, into its
 * TRPCError, in this one place.
 */
const mapDomainErrors = t.middleware(async ({ next }) => {
  const result = await next();
  if (!result.ok) {
    const domainError = asDomainError(result.error.cause);
    if (domainError) throw domainErrorToTRPCError(domainError);
  }
  return result;
});

export const publicProcedure = t.procedure.use(mapDomainErrors);

export const signedInProcedure = publicProcedure.use(async ({ ctx, next }) => {
  if (!ctx.actor) throw ctx.authError ?? new NotAuthenticatedError();
  // Admin rights are the account's now, not the token's (docs/design.md, Auth): a demoted or
  // deleted admin loses them at once. A customer's token grants nothing that needs checking.
  const actor = ctx.actor.role === "admin" ? await currentActor(ctx.db, ctx.actor) : ctx.actor;
  return next({ ctx: { ...ctx, actor } });
});

export const adminProcedure = signedInProcedure.use(({ ctx, next }) => {
  if (ctx.actor.role !== "admin") throw new ForbiddenError("this needs an admin account");
  return next();
});

/**
 * Signed-in procedures that hold seats: each call counts against the caller's hold rate
 * (`EVENTFORGE_HOLD_RATE_PER_MINUTE`) before anything else runs; past it, 429 with Retry-After
 * and RateLimit headers. reservations.hold, the REST hold and reservations.holdMany build on it.
 */
export const holdRateLimitedProcedure = signedInProcedure
  // Outermost, so refusals by the rate limit count too: "held", or the reason the call failed.
  .use(async ({ ctx, next }) => {
    const result = await next();
    if (ctx.onHoldOutcome) {
      const domainError = result.ok ? undefined : asDomainError(result.error.cause);
      ctx.onHoldOutcome(result.ok ? "held" : (domainError?.reason ?? errorData(result.error).reason));
    }
    return result;
  })
  .use(async ({ ctx, next }) => {
    await ctx.rateLimits.holds.consume(String(ctx.actor.userId), "too many holds");
    return next();
  });
