import {
  type EventForgeClient,
  HOLD_MINUTES,
  MAX_SEATS_PER_HOLD,
  type RouterOutputs,
  spellSeatLabel,
} from "@eventforge/client";
import type { Command } from "commander";
import { parseId, parseReservationStatus, parseWholeNumber, type ReservationStatus } from "../arguments.js";
import type { Environment } from "../config.js";
import { withContext } from "../context.js";
import { clockTime, localDateTime, table } from "../format.js";

type Reservation = RouterOutputs["reservations"]["get"];

export function registerReservationCommands(program: Command, env: Environment): void {
  program
    .command("hold")
    .description("hold seats for a few minutes, until they are confirmed or released (several: all or none)")
    .argument("<show-id>", "the show's id", parseId)
    .argument("<labels...>", `the seats, such as A1 (up to ${MAX_SEATS_PER_HOLD}, held together)`)
    .option(
      "--minutes <n>",
      `how long the hold lasts, ${HOLD_MINUTES.min}-${HOLD_MINUTES.max} (default ${HOLD_MINUTES.default})`,
      parseWholeNumber,
    )
    .option("--user <user-id>", "hold for this customer (admin)", parseId)
    .action(
      (showId: number, labels: string[], options: { minutes?: number; user?: number }, command: Command) =>
        withContext(command, env, async ({ client, out, requireLogin }) => {
          requireLogin();
          const holdOptions = {
            ...(options.minutes !== undefined ? { hold_minutes: options.minutes } : {}),
            ...(options.user !== undefined ? { user_id: options.user } : {}),
          };
          const [label] = labels;
          if (labels.length === 1 && label !== undefined) {
            const hold = await client.reservations.hold.mutate({
              show_id: showId,
              seat_number: label,
              ...holdOptions,
            });
            out.result(
              hold,
              () =>
                `reservation ${hold.id}: seat ${spellSeatLabel(label)} of show ${showId} held until ` +
                `${clockTime(hold.hold_expiry)} (${minutesOf(hold)} min)\n` +
                `confirm with: eventforge confirm ${hold.id}   release with: eventforge release ${hold.id}`,
            );
            return;
          }
          const held = await client.reservations.holdMany.mutate({
            show_id: showId,
            seat_numbers: labels,
            ...holdOptions,
          });
          const ids = held.reservations.map((r) => r.id).join(" ");
          out.result(held, () =>
            [
              ...held.reservations.map(
                (hold, i) =>
                  `reservation ${hold.id}: seat ${spellSeatLabel(labels[i] ?? "")} of show ${showId} held until ` +
                  `${clockTime(hold.hold_expiry)} (${minutesOf(hold)} min)`,
              ),
              `confirm with: eventforge confirm ${ids}`,
            ].join("\n"),
          );
        }),
    );

  program
    .command("confirm")
    .description("confirm held seats: they are sold (several: all or none)")
    .argument(
      "<reservation-ids...>",
      `the reservations' ids (up to ${MAX_SEATS_PER_HOLD}, confirmed together)`,
      parseIds,
    )
    .action((reservationIds: number[], _options: unknown, command: Command) =>
      withContext(command, env, async ({ client, out, requireLogin }) => {
        requireLogin();
        const [reservationId] = reservationIds;
        if (reservationIds.length === 1 && reservationId !== undefined) {
          const reservation = await client.reservations.confirm.mutate({ reservation_id: reservationId });
          const label = out.json ? undefined : await seatLabel(client, reservation);
          out.result(
            reservation,
            () => `reservation ${reservation.id} confirmed: ${summary(reservation, label)}`,
          );
          return;
        }
        const confirmed = await client.reservations.confirmMany.mutate({ reservation_ids: reservationIds });
        const labels = out.json
          ? []
          : await Promise.all(confirmed.reservations.map((r) => seatLabel(client, r)));
        out.result(confirmed, () =>
          confirmed.reservations
            .map((r, i) => `reservation ${r.id} confirmed: ${summary(r, labels[i])}`)
            .join("\n"),
        );
      }),
    );

  program
    .command("release")
    .description("release a hold: the seat is free again")
    .argument("<reservation-id>", "the reservation's id", parseId)
    .action((reservationId: number, _options: unknown, command: Command) =>
      withContext(command, env, async ({ client, out, requireLogin }) => {
        requireLogin();
        const reservation = await client.reservations.release.mutate({ reservation_id: reservationId });
        const label = out.json ? undefined : await seatLabel(client, reservation);
        out.result(
          reservation,
          () => `reservation ${reservation.id} released: ${summary(reservation, label)}`,
        );
      }),
    );

  const reservations = program.command("reservations").description("reservations");
  reservations
    .command("list")
    .description("your reservations, newest first (an admin may name a customer)")
    .option("--status <status>", "only these: HELD, CONFIRMED, EXPIRED or CANCELLED", parseReservationStatus)
    .option("--show <show-id>", "only those of this show", parseId)
    .option("--user <user-id>", "a customer's reservations (admin)", parseId)
    .action((options: { status?: ReservationStatus; show?: number; user?: number }, command: Command) =>
      withContext(command, env, async ({ client, out, requireLogin }) => {
        requireLogin();
        const items: Reservation[] = [];
        let cursor: number | undefined;
        // Every page: a customer's reservations are few, and the list is for reading them all.
        do {
          const page = await client.reservations.list.query({
            limit: 100,
            ...(options.status ? { status: options.status } : {}),
            ...(options.show !== undefined ? { show_id: options.show } : {}),
            ...(options.user !== undefined ? { user_id: options.user } : {}),
            ...(cursor !== undefined ? { cursor } : {}),
          });
          items.push(...page.items);
          cursor = page.next_cursor ?? undefined;
        } while (cursor !== undefined);
        out.result({ items }, () =>
          items.length === 0
            ? "no reservations"
            : table([
                ["id", "status", "show", "seat id", "hold expiry", "created"],
                ...items.map((r) => [
                  String(r.id),
                  r.status,
                  String(r.show_id),
                  String(r.seat_id),
                  r.status === "HELD" ? localDateTime(r.hold_expiry) : "",
                  localDateTime(r.created_at),
                ]),
              ]),
        );
      }),
    );
  reservations
    .command("history")
    .description("every change of a reservation, oldest first, and who made it")
    .argument("<reservation-id>", "the reservation's id", parseId)
    .action((reservationId: number, _options: unknown, command: Command) =>
      withContext(command, env, async ({ client, out, requireLogin }) => {
        requireLogin();
        const history = await client.reservations.history.query({ reservation_id: reservationId });
        out.result(history, () =>
          table(
            history.events.map((event) => [
              localDateTime(event.at),
              event.status,
              event.actor_user_id === null ? "by the system" : `by user ${event.actor_user_id}`,
            ]),
          ),
        );
      }),
    );
  reservations
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

const minutesOf = (hold: Reservation) =>
  Math.round((hold.hold_expiry.getTime() - hold.created_at.getTime()) / 60_000);

/** Reservation ids given as separate arguments. */
function parseIds(value: string, previous: number[] | undefined): number[] {
  return [...(previous ?? []), parseId(value)];
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
