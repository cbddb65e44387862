import {
  holdMinutesSchema,
  MAX_SEATS_PER_HOLD,
  normalizeSeatLabel,
  RESERVATION_PAGE,
} from "@eventforge/domain";
import { z } from "zod";
import { createSchema } from "zod-openapi";
import { MAX_ID, MAX_SEATS_PER_REQUEST } from "./limits.js";

// One set of schemas, used by the procedures, the REST surface and (as types) the client.
// Field names are the wire contract (docs/design.md, Data model): snake_case.

export const id = z.number().int().positive().max(MAX_ID);

// PostgreSQL's timestamptz does not reach JavaScript's extremes; keep dates well inside both.
const EARLIEST = new Date("2000-01-01T00:00:00Z");
const LATEST = new Date("9999-12-31T23:59:59Z");

/** A Date, or an ISO-8601 date-time string with an offset (`Z` or `+02:00`), 2000–9999. */
export const dateTime = z
  .union([z.date(), z.iso.datetime({ offset: true }).transform((s) => new Date(s))])
  .pipe(z.date().min(EARLIEST).max(LATEST))
  .meta({
    // On the wire (REST) it is a string; the union with Date exists only for the typed client.
    override: ({ jsonSchema }) => {
      for (const key of Object.keys(jsonSchema)) delete jsonSchema[key];
      Object.assign(jsonSchema, {
        type: "string",
        format: "date-time",
        example: "2026-12-31T19:30:00+01:00",
      });
    },
  });

/** A date on the way out: a Date through tRPC (superjson), an ISO-8601 string in UTC on REST. */
const timestamp = z.date().meta({ override: { type: "string", format: "date-time" } });

// PostgreSQL text cannot hold NUL, and no name, title or address needs a control character.
const noControlCharacters = (s: string) => !/\p{Cc}/u.test(s);
const CONTROL_CHARACTER_MESSAGE = "must not contain control characters";

/** Free text: trimmed, non-empty, bounded, printable. */
const text = (max: number) =>
  z.string().trim().min(1).max(max).refine(noControlCharacters, CONTROL_CHARACTER_MESSAGE);

/** A raw seat label: must normalize (trim, collapse spaces, uppercase) to a valid label. */
export const seatLabel = z
  .string()
  .max(256)
  .superRefine((raw, ctx) => {
    try {
      normalizeSeatLabel(raw);
    } catch (error) {
      ctx.addIssue({ code: "custom", message: (error as Error).message });
    }
  });

// ---- inputs -------------------------------------------------------------------------------

export const loginInput = z.strictObject({
  email: z.string().trim().min(1).max(320).refine(noControlCharacters, CONTROL_CHARACTER_MESSAGE),
  password: z.string().min(1).max(256),
});

export const createUserInput = z.strictObject({
  name: text(200),
  phone_number: z
    .string()
    .trim()
    .regex(/^\+?[0-9][0-9 ()-]{2,31}$/u, "a phone number: digits, spaces, ( ) - and an optional leading +"),
  email: z.email().trim().max(320),
  // OWASP: at least 8 characters; the cap only bounds the hashing work.
  password: z.string().min(8).max(256),
});

export const createShowInput = z.strictObject({
  title: text(200),
  venue: text(200),
  starts_at: dateTime,
});

export const showIdInput = z.strictObject({ show_id: id });

const seatStatusSchema = z.enum(["AVAILABLE", "HELD", "CONFIRMED"]);
const reservationStatusSchema = z.enum(["HELD", "CONFIRMED", "EXPIRED", "CANCELLED"]);

/** Seats per page of availability; without `limit`, every seat comes back. */
const MAX_AVAILABILITY_PAGE = 1_000;

export const availabilityInput = z.strictObject({
  show_id: id,
  /** Only the seats with this status. */
  status: seatStatusSchema.optional(),
  limit: z.number().int().min(1).max(MAX_AVAILABILITY_PAGE).optional(),
  /** `next_cursor` of the previous page (the seat id it ended with). */
  cursor: id.optional(),
});

export const listReservationsInput = z
  .strictObject({
    /** As each reservation stands now: a lapsed hold is EXPIRED. */
    status: reservationStatusSchema.optional(),
    show_id: id.optional(),
    /** Whose reservations; only an admin may name another user. */
    user_id: id.optional(),
    limit: z.number().int().min(1).max(RESERVATION_PAGE.max).default(RESERVATION_PAGE.default),
    /** `next_cursor` of the previous page. */
    cursor: z.number().int().positive().max(Number.MAX_SAFE_INTEGER).optional(),
  })
  .prefault({});

export const listShowsInput = z
  .strictObject({
    limit: z.number().int().min(1).max(100).default(20),
    /** Offset of the page, as returned in `next_cursor`. */
    cursor: z.number().int().min(0).max(MAX_ID).optional(),
  })
  // prefault: an absent input is parsed as {}, so the field defaults above apply.
  .prefault({});

export const addSeatsInput = z.strictObject({
  show_id: id,
  seat_numbers: z.array(seatLabel).min(1).max(MAX_SEATS_PER_REQUEST),
});

const holdOptions = {
  /** Whose hold it is; defaults to the caller. Only an admin may name another user. */
  user_id: id.optional(),
  hold_minutes: holdMinutesSchema,
};

/** A seat is named by its id, or by its show and label. */
const seatById = { seat_id: id };
const seatByLabel = { show_id: id, seat_number: seatLabel };
export const holdInput = z.union([
  z.strictObject({ ...seatById, ...holdOptions }),
  z.strictObject({ ...seatByLabel, ...holdOptions }),
]);

/**
 * The seed's `POST /reservations/{user_id}/hold`: the same hold with the user in the path and the seat
 * named in the body. One flat object (REST needs an object input), refined to the same two forms.
 */
export const restHoldInput = z
  .strictObject({
    user_id: id,
    seat_id: id.optional(),
    show_id: id.optional(),
    seat_number: seatLabel.optional(),
    hold_minutes: holdOptions.hold_minutes,
  })
  .superRefine((input, ctx) => {
    const byId = input.seat_id !== undefined;
    const byLabel = input.show_id !== undefined && input.seat_number !== undefined;
    const partLabel = input.show_id !== undefined || input.seat_number !== undefined;
    if (byId ? partLabel : !byLabel) {
      ctx.addIssue({ code: "custom", message: "name the seat by seat_id, or by show_id and seat_number" });
    }
  })
  .transform(({ user_id, hold_minutes, seat_id, show_id, seat_number }) => ({
    user_id,
    hold_minutes,
    seat:
      seat_id !== undefined
        ? { seat_id }
        : // the refinement above guarantees both are present here
          { show_id: show_id as number, seat_number: seat_number as string },
  }));

/** The body of the REST hold as it is: one of holdInput's two forms, the user in the path. */
export const restHoldBody = z.union([
  z.strictObject({ ...seatById, hold_minutes: holdOptions.hold_minutes }),
  z.strictObject({ ...seatByLabel, hold_minutes: holdOptions.hold_minutes }),
]);

export const reservationIdInput = z.strictObject({ reservation_id: id });

/** 1–10 things, none repeated (labels compared after normalization). */
const distinctList = <T extends z.ZodType>(item: T, key: (value: z.output<T>) => unknown = (v) => v) =>
  z
    .array(item)
    .min(1)
    .max(MAX_SEATS_PER_HOLD)
    .refine((values) => new Set(values.map(key)).size === values.length, "must not repeat an entry");

const seatLabels = distinctList(seatLabel, (label) => {
  try {
    return normalizeSeatLabel(label);
  } catch {
    return label; // reported by the label's own check
  }
});
const seatIds = distinctList(id);

/** Several seats of one show, named by show and labels or by seat ids. */
const seatsByLabel = { show_id: id, seat_numbers: seatLabels };
const seatsById = { seat_ids: seatIds };
export const holdManyInput = z.union([
  z.strictObject({ ...seatsByLabel, ...holdOptions }),
  z.strictObject({ ...seatsById, ...holdOptions }),
]);

/** `POST /reservations/{user_id}/hold-many`: the user in the path, the seats in the body. */
export const restHoldManyInput = z
  .strictObject({
    user_id: id,
    show_id: id.optional(),
    seat_numbers: seatLabels.optional(),
    seat_ids: seatIds.optional(),
    hold_minutes: holdOptions.hold_minutes,
  })
  .superRefine((input, ctx) => {
    const byLabel = input.show_id !== undefined && input.seat_numbers !== undefined;
    const byId =
      input.seat_ids !== undefined && input.show_id === undefined && input.seat_numbers === undefined;
    if (byLabel === byId) {
      ctx.addIssue({ code: "custom", message: "name the seats by seat_ids, or by show_id and seat_numbers" });
    }
  })
  .transform(({ user_id, hold_minutes, show_id, seat_numbers, seat_ids }) => ({
    user_id,
    hold_minutes,
    seats:
      seat_ids !== undefined
        ? { seat_ids }
        : // the refinement above guarantees both are present here
          { show_id: show_id as number, seat_numbers: seat_numbers as string[] },
  }));

/** The body of the REST hold-many as it is: one of holdManyInput's two forms, the user in the path. */
export const restHoldManyBody = z.union([
  z.strictObject({ ...seatsByLabel, hold_minutes: holdOptions.hold_minutes }),
  z.strictObject({ ...seatsById, hold_minutes: holdOptions.hold_minutes }),
]);

export const confirmManyInput = z.strictObject({ reservation_ids: distinctList(id) });

// ---- outputs ------------------------------------------------------------------------------

const roleSchema = z.enum(["customer", "admin"]);

export const userSchema = z
  .object({
    id,
    name: z.string(),
    phone_number: z.string(),
    email: z.string(),
    role: roleSchema,
    created_at: timestamp,
  })
  .meta({ id: "User" });

export const loginOutput = z
  .object({
    access_token: z.string(),
    token_type: z.literal("bearer"),
    expires_in: z.number().int(),
    user: userSchema,
  })
  .meta({ id: "Session" });

export const showSchema = z
  .object({
    id,
    title: z.string(),
    venue: z.string(),
    starts_at: timestamp,
    created_at: timestamp,
  })
  .meta({ id: "Show" });

export const showPageSchema = z
  .object({
    items: z.array(showSchema),
    next_cursor: z.number().int().nullable(),
  })
  .meta({ id: "ShowPage" });

export const seatSchema = z.object({ id, show_id: id, seat_number: z.string() }).meta({ id: "Seat" });
export const seatsOutput = z.object({ seats: z.array(seatSchema) }).meta({ id: "SeatList" });

/** A reservation_events id: bigint in the database, a safe integer on the wire. */
export const eventId = z.number().int().positive().max(Number.MAX_SAFE_INTEGER);

/**
 * availability.watch: the show, and where to resume (a snapshot's `last_event_id` or the id of the
 * last change seen; tRPC's httpSubscriptionLink sends the latter as a string by itself).
 */
export const watchAvailabilityInput = z.strictObject({
  show_id: id,
  lastEventId: z
    .union([
      eventId,
      z
        .string()
        .regex(/^[1-9]\d{0,15}$/u, "an event id")
        .transform(Number)
        .pipe(eventId),
    ])
    .nullish(),
});

/** One seat of a snapshot, as the OpenAPI document describes it. */
export const availabilitySeatSchema = z.object({
  seat_id: id,
  seat_number: z.string(),
  status: seatStatusSchema,
  hold_expiry: timestamp.nullable(),
});
type AvailabilitySeat = z.output<typeof availabilitySeatSchema>;

const SEAT_STATUSES: ReadonlySet<unknown> = new Set(seatStatusSchema.options);
const isId = (value: unknown) =>
  typeof value === "number" && Number.isInteger(value) && value > 0 && value <= MAX_ID;
const isTimestamp = (value: unknown) => value instanceof Date && !Number.isNaN(value.getTime());

/**
 * Accepts exactly what `availabilitySeatSchema` describes: its four fields and no other (the
 * document says `additionalProperties: false`). schemas.test.ts holds the two to the same answers.
 */
const isAvailabilitySeat = (value: unknown): value is AvailabilitySeat => {
  if (typeof value !== "object" || value === null) return false;
  const seat = value as Record<string, unknown>;
  return (
    Object.keys(seat).length === 4 &&
    isId(seat.seat_id) &&
    typeof seat.seat_number === "string" &&
    SEAT_STATUSES.has(seat.status) &&
    (seat.hold_expiry === null || isTimestamp(seat.hold_expiry))
  );
};

/**
 * The seats of a snapshot: checked in place, seat by seat, and passed through as they are. tRPC
 * parses every output with its schema, and `z.array(availabilitySeatSchema)` builds a copy of
 * every seat: on a 100,000-seat show that copy was ~6 MB and the largest part of the schema's
 * time. The document still shows `z.array(availabilitySeatSchema)`, as zod-openapi renders it.
 */
const availabilitySeatList = z
  .custom<AvailabilitySeat[]>((value) => Array.isArray(value) && value.every(isAvailabilitySeat), {
    message: "seats: an array of { seat_id, seat_number, status, hold_expiry }",
  })
  .meta({
    override: ({ jsonSchema }) => {
      Object.assign(jsonSchema, createSchema(z.array(availabilitySeatSchema), { io: "output" }).schema);
    },
  });

export const availabilityOutput = z
  .object({
    show_id: id,
    as_of: timestamp,
    /** Of the whole show, whatever the filter and the page. */
    counts: z.object({
      total: z.number().int(),
      available: z.number().int(),
      held: z.number().int(),
      confirmed: z.number().int(),
    }),
    /** The newest event the snapshot includes: watch from it (`lastEventId`) for what follows. */
    last_event_id: eventId.nullable(),
    seats: availabilitySeatList,
    /** Pass as `cursor` for the next page; null on the last page (and without `limit`). */
    next_cursor: id.nullable(),
  })
  .meta({ id: "Availability" });

export const reservationSchema = z
  .object({
    id,
    user_id: id,
    seat_id: id,
    show_id: id,
    status: reservationStatusSchema,
    hold_expiry: timestamp,
    created_at: timestamp,
    updated_at: timestamp,
  })
  .meta({ id: "Reservation" });

export const reservationListSchema = z
  .object({ reservations: z.array(reservationSchema) })
  .meta({ id: "ReservationBatch" });

export const reservationPageSchema = z
  .object({
    items: z.array(reservationSchema),
    /** Pass as `cursor` for the next (older) page; null on the last page. */
    next_cursor: z.number().int().nullable(),
  })
  .meta({ id: "ReservationPage" });

export const reservationHistorySchema = z
  .object({
    events: z.array(
      z.object({
        id,
        status: reservationStatusSchema,
        at: timestamp,
        /** Who made the change; null: the system (an expiry). */
        actor_user_id: id.nullable(),
      }),
    ),
  })
  .meta({ id: "ReservationHistory" });
