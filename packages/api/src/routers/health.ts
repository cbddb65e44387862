import { z } from "zod";
import { router, signedInProcedure } from "../trpc.js";

// Not in docs/design.md: a signed-in no-op for liveness checks and the benchmark's ceiling. It goes
// through the same transport, context (token verification) and middleware as every procedure,
// and touches no database.
const pingOutput = z.object({ ok: z.literal(true) });

export const healthRouter = router({
  ping: signedInProcedure.output(pingOutput).query(() => ({ ok: true as const })),
});
