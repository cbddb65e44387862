import {
  addSeatsErrors,
  confirmReservationErrors,
  confirmReservationsErrors,
  createShowErrors,
  createUserErrors,
  DatabaseUnavailableError,
  type DomainErrorClass,
  ForbiddenError,
  getAvailabilityErrors,
  getReservationErrors,
  getReservationHistoryErrors,
  getShowErrors,
  getUserErrors,
  holdSeatErrors,
  holdSeatsErrors,
  InvalidTokenError,
  idempotencyErrors,
  listReservationsErrors,
  listSeatsErrors,
  listShowsErrors,
  loginErrors,
  NotAuthenticatedError,
  releaseReservationErrors,
  type ServiceErrors,
  TokenExpiredError,
  watchAvailabilityErrors,
} from "@eventforge/domain";
import { z } from "zod";

/**
 * The one list of the errors each procedure can answer with: its service's own list (exported by
 * the domain beside the service), composed with the failures around the procedure that its kind
 * implies. The OpenAPI document's error responses (openapi.ts) and the client's `ErrorReasonOf`
 * are both derived from it; procedure-errors.test.ts checks each entry against the procedure (its
 * middleware, input and type) and against what its resolver's services can throw.
 */

/** What a procedure is, as far as failures around it go. */
export interface ProcedureKind {
  /** Who may call it: signed-in adds 401 (no, bad or expired token), admin adds 403 as well. */
  readonly access: "anyone" | "signed-in" | "admin";
  /** Whether it takes input that can be invalid (400 INVALID_INPUT with the zod issues). */
  readonly input: boolean;
  /** Whether calls count against a rate limit (429 TOO_MANY_REQUESTS with Retry-After). */
  readonly throttled: boolean;
  /** Whether it is a mutation, whose body can be too large (413) or not JSON (415). */
  readonly mutation: boolean;
}

/** A failure that no service throws: its reason and the schema of its `details`. */
interface TransportError<R extends string, D extends z.ZodType> {
  readonly name: string;
  readonly reason: R;
  readonly details: D;
}

const transportError = <const R extends string, D extends z.ZodType>(name: string, reason: R, details: D) =>
  ({ name, reason, details }) as TransportError<R, D>;

/** Invalid input as zod finds it: `data.issues` says what is wrong, `details` is null. */
export const InvalidInputIssues = transportError("InvalidInputIssues", "INVALID_INPUT", z.null());
export const RateLimited = transportError(
  "RateLimited",
  "TOO_MANY_REQUESTS",
  z.strictObject({
    limit: z.string(),
    points: z.number().int().positive(),
    window_seconds: z.number().int().positive(),
    retry_after: z.number().int().nonnegative(),
  }),
);
export const PayloadTooLarge = transportError("PayloadTooLarge", "PAYLOAD_TOO_LARGE", z.null());
export const UnsupportedMediaType = transportError(
  "UnsupportedMediaType",
  "UNSUPPORTED_MEDIA_TYPE",
  z.null(),
);
export const Internal = transportError("Internal", "INTERNAL", z.null());

const SIGNED_IN = [NotAuthenticatedError, InvalidTokenError, TokenExpiredError] as const;

/** Every error a procedure can answer with: one of its service's classes or a transport error. */
export type ProcedureError = DomainErrorClass | TransportError<string, z.ZodType>;

type TransportErrorsOf<K extends ProcedureKind> =
  | (K["access"] extends "anyone" ? never : (typeof SIGNED_IN)[number])
  | (K["access"] extends "admin" ? typeof ForbiddenError : never)
  | (K["input"] extends true ? typeof InvalidInputIssues : never)
  | (K["throttled"] extends true ? typeof RateLimited : never)
  | (K["mutation"] extends true ? typeof PayloadTooLarge | typeof UnsupportedMediaType : never)
  | typeof DatabaseUnavailableError
  | typeof Internal;

export interface ProcedureErrors<K extends ProcedureKind, E extends ProcedureError> {
  readonly kind: K;
  /** What the procedure's services throw. */
  readonly service: readonly DomainErrorClass[];
  /** Each error once, service errors first. */
  readonly errors: readonly E[];
}

/** A procedure's errors: what its service throws, and what its kind adds around it. */
function declare<const K extends ProcedureKind, const S extends ServiceErrors>(
  kind: K,
  ...services: S[]
): ProcedureErrors<K, S[number] | TransportErrorsOf<K>> {
  const around: ProcedureError[] = [
    ...(kind.access === "anyone" ? [] : SIGNED_IN),
    ...(kind.access === "admin" ? [ForbiddenError] : []),
    ...(kind.input ? [InvalidInputIssues] : []),
    ...(kind.throttled ? [RateLimited] : []),
    ...(kind.mutation ? [PayloadTooLarge, UnsupportedMediaType] : []),
    DatabaseUnavailableError,
    Internal,
  ];
  const errors = [...new Set([...services.flat(), ...around])];
  // A class in two of the lists (an idempotent mutation's INVALID_INPUT) is one error.
  const service = [...new Set(services.flat())];
  return { kind, service, errors: errors as (S[number] | TransportErrorsOf<K>)[] };
}

const publicQuery = { access: "anyone", input: true, throttled: false, mutation: false } as const;
const signedInQuery = { access: "signed-in", input: true, throttled: false, mutation: false } as const;
const signedInMutation = { access: "signed-in", input: true, throttled: false, mutation: true } as const;
const adminMutation = { access: "admin", input: true, throttled: false, mutation: true } as const;
const throttledMutation = { access: "anyone", input: true, throttled: true, mutation: true } as const;
const holdMutation = { access: "signed-in", input: true, throttled: true, mutation: true } as const;

/**
 * Every procedure of the tRPC router and of the REST surface, by path. A new procedure adds one
 * line here naming its kind and its service's list.
 */
export const PROCEDURE_ERRORS = {
  "auth.login": declare(throttledMutation, loginErrors),
  "auth.me": declare({ ...signedInQuery, input: false }, getUserErrors),
  "users.create": declare(throttledMutation, createUserErrors),
  "shows.create": declare(adminMutation, createShowErrors),
  "shows.list": declare(publicQuery, listShowsErrors),
  "shows.get": declare(publicQuery, getShowErrors),
  "seats.add": declare(adminMutation, addSeatsErrors),
  "seats.list": declare(publicQuery, listSeatsErrors),
  "availability.get": declare(publicQuery, getAvailabilityErrors),
  // A subscription; its REST form is the event stream (GET /shows/{show_id}/availability/events).
  "availability.watch": declare(publicQuery, watchAvailabilityErrors),
  "reservations.hold": declare(holdMutation, [...holdSeatErrors, ...idempotencyErrors] as const),
  "reservations.holdMany": declare(holdMutation, [...holdSeatsErrors, ...idempotencyErrors] as const),
  "reservations.confirm": declare(signedInMutation, [
    ...confirmReservationErrors,
    ...idempotencyErrors,
  ] as const),
  "reservations.confirmMany": declare(signedInMutation, [
    ...confirmReservationsErrors,
    ...idempotencyErrors,
  ] as const),
  "reservations.release": declare(signedInMutation, [
    ...releaseReservationErrors,
    ...idempotencyErrors,
  ] as const),
  "reservations.list": declare(signedInQuery, listReservationsErrors),
  "reservations.get": declare(signedInQuery, getReservationErrors),
  "reservations.history": declare(signedInQuery, getReservationHistoryErrors),
  "health.ping": declare({ ...signedInQuery, input: false }),
  "rest.hold": declare(holdMutation, [...holdSeatErrors, ...idempotencyErrors] as const),
  "rest.holdMany": declare(holdMutation, [...holdSeatsErrors, ...idempotencyErrors] as const),
} as const;

export type ProcedurePath = keyof typeof PROCEDURE_ERRORS;

type ErrorsOf<P extends ProcedurePath> = (typeof PROCEDURE_ERRORS)[P]["errors"][number];

/** The reasons (`data.reason`) a procedure can fail with, e.g. `ErrorReasonOf<"reservations.hold">`. */
export type ErrorReasonOf<P extends ProcedurePath> = ErrorsOf<P>["reason"];

/** The `data.details` of a procedure's failure with reason R. */
export type ErrorDetailsOf<P extends ProcedurePath, R extends ErrorReasonOf<P>> = z.output<
  Extract<ErrorsOf<P>, { reason: R }>["details"]
>;

/** A procedure's `data` narrowed on `reason`: `if (data.reason === "SEAT_TAKEN") data.details.held_until`. */
export type ErrorDataOf<P extends ProcedurePath> = {
  [R in ErrorReasonOf<P>]: { reason: R; details: ErrorDetailsOf<P, R> };
}[ErrorReasonOf<P>];
