import { authRouter } from "./routers/auth.js";
import { availabilityRouter } from "./routers/availability.js";
import { healthRouter } from "./routers/health.js";
import { reservationsRouter } from "./routers/reservations.js";
import { seatsRouter } from "./routers/seats.js";
import { showsRouter } from "./routers/shows.js";
import { usersRouter } from "./routers/users.js";
import { createCallerFactory, router } from "./trpc.js";

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

/** `createCaller(createContextInner({ db, tokens, actor }))`: call procedures without HTTP. */
export const createCaller = createCallerFactory(appRouter);
