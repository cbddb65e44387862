import type { EventForgeClient, RouterOutputs } from "@eventforge/client";
import type { Command } from "commander";
import { parseDateTime, parseId } from "../arguments.js";
import type { Environment } from "../config.js";
import { withContext } from "../context.js";
import { formatCount, localDateTime, plural, table } from "../format.js";
import { countByStatus } from "../seat-map.js";

/** A show, its seats' states and their counts by status: `shows get` and `availability`. */
export async function showWithAvailability(client: EventForgeClient, showId: number) {
  // Asked together, the two travel in one HTTP request.
  const [show, availability] = await Promise.all([
    client.shows.get.query({ show_id: showId }),
    client.availability.get.query({ show_id: showId }),
  ]);
  return { show, availability, counts: countByStatus(availability.seats) };
}

/** The largest page shows.list gives. */
const PAGE_SIZE = 100;

export function registerShowCommands(program: Command, env: Environment): void {
  const shows = program.command("shows").description("shows: create, list, look up");

  shows
    .command("create")
    .description("create a show (admin)")
    .requiredOption("--title <title>", "what is on")
    .requiredOption("--venue <venue>", "where")
    .requiredOption(
      "--starts-at <date-time>",
      "when, ISO-8601: 2030-05-01T20:00+02:00 (local time without an offset)",
      parseDateTime,
    )
    .action((options: { title: string; venue: string; startsAt: Date }, command: Command) =>
      withContext(command, env, async ({ client, out, requireLogin }) => {
        requireLogin();
        const show = await client.shows.create.mutate({
          title: options.title,
          venue: options.venue,
          starts_at: options.startsAt,
        });
        out.result(
          show,
          () =>
            `created show ${show.id}: ${show.title}, ${show.venue}, ${localDateTime(show.starts_at)}\n` +
            `add seats with: eventforge seats add ${show.id} A1-A40 (or --rows A-Z --numbers 1-40)`,
        );
      }),
    );

  shows
    .command("list")
    .description("every show, soonest first")
    .action((_options: unknown, command: Command) =>
      withContext(command, env, async ({ client, out }) => {
        const all: RouterOutputs["shows"]["list"]["items"] = [];
        for (let cursor: number | null = 0; cursor !== null; ) {
          const page = await client.shows.list.query({ limit: PAGE_SIZE, cursor });
          all.push(...page.items);
          cursor = page.next_cursor;
        }
        out.result(all, () =>
          all.length === 0
            ? "no shows yet"
            : table([
                ["ID", "STARTS", "TITLE", "VENUE"],
                ...all.map((s) => [String(s.id), localDateTime(s.starts_at), s.title, s.venue]),
              ]),
        );
      }),
    );

  shows
    .command("get")
    .description("one show, with its seat counts")
    .argument("<show-id>", "the show's id", parseId)
    .action((showId: number, _options: unknown, command: Command) =>
      withContext(command, env, async ({ client, out }) => {
        const { show, availability, counts } = await showWithAvailability(client, showId);
        out.result({ ...show, counts }, () =>
          table([
            ["show", String(show.id)],
            ["title", show.title],
            ["venue", show.venue],
            ["starts", localDateTime(show.starts_at)],
            [
              "seats",
              `${plural(availability.seats.length, "seat")}: ${formatCount(counts.AVAILABLE)} available, ` +
                `${formatCount(counts.HELD)} held, ${formatCount(counts.CONFIRMED)} confirmed`,
            ],
          ]),
        );
      }),
    );
}
