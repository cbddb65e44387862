import { authRouter } from "./routers/auth.js";
import { availabilityRouter } from "./routers/availability.js";
import { healthRouter } from "./routers/health.js";
import { reservationsRouter, restHoldProcedure } from "./routers/reservations.js";
import { seatsRouter } from "./routers/seats.js";
import { showsRouter } from "./routers/shows.js";
import { usersRouter } from "./routers/users.js";
import { createCallerFactory, mergeRouters, router } from "./trpc.js";

export const appRouter = router({
  auth: authRouter,
  users: usersRouter,
  shows: showsRouter,
  seats: seatsRouter,
  availability: availabilityRouter,
  reservations: reservationsRouter,
  health: healthRouter,
});

export type AppRouter = typeof appRouter;

/**
 * What the REST surface serves: every procedure with `meta.openapi`, plus the seed's hold path,
 * which names the user in the path and so needs a flat input of its own.
 */
export const restRouter = mergeRouters(appRouter, router({ rest: router({ hold: restHoldProcedure }) }));

/** `createCaller(createContextInner({ db, tokens, actor }))`: call procedures without HTTP. */
export const createCaller = createCallerFactory(appRouter);
