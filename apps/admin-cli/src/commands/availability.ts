import type { Command } from "commander";
import { parseId, parseSeatStatus } from "../arguments.js";
import type { Environment } from "../config.js";
import { withContext } from "../context.js";
import { localDateTime } from "../format.js";
import { renderSeatMap, type SeatStatus } from "../seat-map.js";
import { showWithAvailability } from "./shows.js";

export function registerAvailabilityCommand(program: Command, env: Environment): void {
  program
    .command("availability")
    .description("the seat map of a show: every seat available, held or confirmed")
    .argument("<show-id>", "the show's id", parseId)
    .option("--status <status>", "only seats with this status: AVAILABLE, HELD or CONFIRMED", parseSeatStatus)
    .action((showId: number, options: { status?: SeatStatus }, command: Command) =>
      withContext(command, env, async ({ client, out }) => {
        const { show, availability, counts } = await showWithAvailability(client, showId);
        const seats = availability.seats.filter((seat) => !options.status || seat.status === options.status);
        out.result(
          { show_id: showId, as_of: availability.as_of, counts, seats },
          () =>
            `${out.colors.bold(show.title)}, ${show.venue}, ${localDateTime(show.starts_at)} (show ${show.id})\n\n` +
            renderSeatMap(availability, { colors: out.colors, status: options.status }),
        );
      }),
    );
}
