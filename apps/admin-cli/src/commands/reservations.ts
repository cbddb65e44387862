import type { EventForgeClient, RouterOutputs } from "@eventforge/client";
import type { Command } from "commander";
import { parseId, parseWholeNumber } from "../arguments.js";
import type { Environment } from "../config.js";
import { withContext } from "../context.js";
import { clockTime, localDateTime, table } from "../format.js";
import { comparable } from "../labels.js";

type Reservation = RouterOutputs["reservations"]["get"];

export function registerReservationCommands(program: Command, env: Environment): void {
  program
    .command("hold")
    .description("hold a seat for a few minutes, until it is confirmed or released")
    .argument("<show-id>", "the show's id", parseId)
    .argument("<label>", "the seat, such as A1")
    .option("--minutes <n>", "how long the hold lasts, 1-20 (default 10)", parseWholeNumber)
    .option("--user <user-id>", "hold for this customer (admin)", parseId)
    .action((showId: number, label: string, options: { minutes?: number; user?: number }, command: Command) =>
      withContext(command, env, async ({ client, out, requireLogin }) => {
        requireLogin();
        const hold = await client.reservations.hold.mutate({
          show_id: showId,
          seat_number: label,
          ...(options.minutes !== undefined ? { hold_minutes: options.minutes } : {}),
          ...(options.user !== undefined ? { user_id: options.user } : {}),
        });
        const minutes = Math.round((hold.hold_expiry.getTime() - hold.created_at.getTime()) / 60_000);
        out.result(
          hold,
          () =>
            `reservation ${hold.id}: seat ${comparable(label)} of show ${showId} held until ` +
            `${clockTime(hold.hold_expiry)} (${minutes} min)\n` +
            `confirm with: eventforge confirm ${hold.id}   release with: eventforge release ${hold.id}`,
        );
      }),
    );

  for (const [name, description, verb] of [
    ["confirm", "confirm a held seat: it is sold", "confirmed"],
    ["release", "release a hold: the seat is free again", "released"],
  ] as const) {
    program
      .command(name)
      .description(description)
      .argument("<reservation-id>", "the reservation's id", parseId)
      .action((reservationId: number, _options: unknown, command: Command) =>
        withContext(command, env, async ({ client, out, requireLogin }) => {
          requireLogin();
          const reservation = await client.reservations[name].mutate({ reservation_id: reservationId });
          const label = out.json ? undefined : await seatLabel(client, reservation);
          out.result(
            reservation,
            () => `reservation ${reservation.id} ${verb}: ${summary(reservation, label)}`,
          );
        }),
      );
  }

  program
    .command("reservations")
    .description("reservations")
    .command("get")
    .description("one reservation, as it stands now")
    .argument("<reservation-id>", "the reservation's id", parseId)
    .action((reservationId: number, _options: unknown, command: Command) =>
      withContext(command, env, async ({ client, out, requireLogin }) => {
        requireLogin();
        const reservation = await client.reservations.get.query({ reservation_id: reservationId });
        const label = out.json ? undefined : await seatLabel(client, reservation);
        out.result(reservation, () =>
          table([
            ["reservation", String(reservation.id)],
            ["status", reservation.status],
            ["show", String(reservation.show_id)],
            ["seat", label ? `${label} (id ${reservation.seat_id})` : `id ${reservation.seat_id}`],
            ["user", String(reservation.user_id)],
            ["hold expiry", localDateTime(reservation.hold_expiry)],
            ["created", localDateTime(reservation.created_at)],
            ["updated", localDateTime(reservation.updated_at)],
          ]),
        );
      }),
    );
}

function summary(reservation: Reservation, label: string | undefined): string {
  const seat = label ? `seat ${label}` : `seat id ${reservation.seat_id}`;
  return `${reservation.status}, ${seat} of show ${reservation.show_id}`;
}

/**
 * The label of a reservation's seat, for people: a reservation names its seat by id only. The lookup
 * is wording, so its failure must not report a confirm that went through as failed: then the id does.
 */
async function seatLabel(client: EventForgeClient, reservation: Reservation): Promise<string | undefined> {
  try {
    const { seats } = await client.seats.list.query({ show_id: reservation.show_id });
    return seats.find((seat) => seat.id === reservation.seat_id)?.seat_number;
  } catch {
    return undefined;
  }
}
