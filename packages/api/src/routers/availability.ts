import { getAvailability, watchAvailability } from "@eventforge/domain";
import { tracked } from "@trpc/server";
import { asDomainError, domainErrorToTRPCError } from "../errors.js";
import { restRoute } from "../rest.js";
import { availabilityInput, availabilityOutput, watchAvailabilityInput } from "../schemas.js";
import { publicProcedure, router } from "../trpc.js";

export const availabilityRouter = router({
  get: publicProcedure
    .meta(
      restRoute("GET", "/shows/{show_id}/availability", {
        summary: "Every seat of a show as AVAILABLE, HELD (with its expiry) or CONFIRMED, at database time",
        description:
          "`counts` are of the whole show. `status` keeps only the seats with that status; `limit` " +
          "(1–1000) pages through them in natural order: pass `next_cursor` as `cursor` for the next " +
          "page (null on the last). Without `limit`, every seat comes back.",
      }),
    )
    .input(availabilityInput)
    .output(availabilityOutput)
    .query(({ ctx, input: { show_id, ...query } }) => getAvailability(ctx.db, show_id, query)),
  /**
   * The show's seat changes as they are committed (docs/design.md, Live availability), over SSE:
   * each one `tracked` by its event id, so a client that reconnects resumes after the last one it
   * saw. An unknown show fails before the first message.
   */
  watch: publicProcedure.input(watchAvailabilityInput).subscription(async ({ ctx, input, signal }) => {
    const changes = await watchAvailability(ctx.live, input.show_id, {
      afterEventId: input.lastEventId,
      signal,
    });
    return (async function* () {
      try {
        for await (const change of changes) yield tracked(String(change.event_id), change);
      } catch (error) {
        // The middleware maps what the resolver throws; what the stream throws is mapped here.
        const domainError = asDomainError(error);
        throw domainError ? domainErrorToTRPCError(domainError) : error;
      }
    })();
  }),
});
