import { authRouter } from "./routers/auth.js";
import { availabilityRouter } from "./routers/availability.js";
import { healthRouter } from "./routers/health.js";
import { reservationsRouter, restHoldManyProcedure, restHoldProcedure } from "./routers/reservations.js";
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
 * What the REST surface serves: every procedure with `meta.openapi`, plus the hold paths, which name
 * the user in the path and so need a flat input of their own.
 */
export const restRouter = mergeRouters(
  appRouter,
  router({ rest: router({ hold: restHoldProcedure, holdMany: restHoldManyProcedure }) }),
);

/** `createCaller(createContextInner({ db, tokens, actor }))`: call procedures without HTTP. */
export const createCaller = createCallerFactory(appRouter);
