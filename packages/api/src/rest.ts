import type { DomainErrorReason } from "@eventforge/domain";
import type { OpenApiMeta, OpenApiMethod } from "trpc-to-openapi";
import { z } from "zod";
import { httpStatusOf } from "./errors.js";

/** The request header of an idempotent route (docs/design.md §9), for the OpenAPI document. */
const idempotencyRequestHeaders = z.object({
  "Idempotency-Key": z
    .string()
    .regex(/^[\x21-\x7e]{1,255}$/u)
    .optional()
    .meta({
      description:
        "1–255 visible ASCII characters, unique per attempt of one request (e.g. a UUID). A repeat with " +
        "the same key and body gets the first answer again with `Idempotent-Replayed: true`; another body " +
        "is 422 IDEMPOTENCY_KEY_REUSED; a repeat while the first runs is 409 IDEMPOTENCY_KEY_IN_USE. " +
        "Kept EVENTFORGE_IDEMPOTENCY_TTL_HOURS (24) per signed-in user.",
      example: "3f1c9a2e-7b4d-4e0a-9c55-2d8f6b1a0e77",
    }),
});
const idempotencyResponseHeaders = z.object({
  "Idempotent-Replayed": z
    .literal("true")
    .optional()
    .meta({ description: "Present when this is the stored answer of an earlier request with the same key" }),
});

type RestMeta = NonNullable<OpenApiMeta["openapi"]>;

/** Who may call a route; it decides the 401/403 responses and the security requirement. */
type Access = "anyone" | "signed-in" | "admin";

/**
 * The REST route of a procedure (its `meta`), with every error status it can answer and the
 * reasons behind each, so that the OpenAPI document lists exactly those.
 */
export function restRoute(
  method: OpenApiMethod,
  path: RestMeta["path"],
  route: {
    summary: string;
    description?: string;
    access: Access;
    /** The domain failures of the service behind the route. */
    reasons?: DomainErrorReason[];
    /** Whether the route has input that can be invalid (400). */
    validates?: boolean;
    /** Whether repeated failures are refused for a while (429). */
    throttled?: boolean;
    /** Defaults to the procedure's path, dotted with dashes (`reservations-confirm`). */
    operationId?: string;
    /** Whether the route honours an `Idempotency-Key` header. */
    idempotent?: boolean;
  },
): OpenApiMeta {
  const reasonsByStatus = new Map<number, string[]>();
  const add = (status: number, reason: string) =>
    reasonsByStatus.set(status, [...(reasonsByStatus.get(status) ?? []), reason]);

  if (route.validates ?? true) add(400, "INVALID_INPUT");
  if (route.access !== "anyone") {
    for (const reason of ["NOT_AUTHENTICATED", "INVALID_TOKEN", "TOKEN_EXPIRED"]) add(401, reason);
  }
  if (route.access === "admin") add(403, "FORBIDDEN");
  for (const reason of route.reasons ?? []) add(httpStatusOf(reason), reason);
  if (route.throttled) add(429, "TOO_MANY_REQUESTS");
  if (method !== "GET") add(413, "PAYLOAD_TOO_LARGE");
  // Every route reads or writes the database.
  add(503, "DATABASE_UNAVAILABLE");

  const errorResponses = Object.fromEntries(
    [...reasonsByStatus].sort(([a], [b]) => a - b).map(([status, reasons]) => [status, reasons.join(", ")]),
  );
  return {
    openapi: {
      method,
      path,
      operationId: route.operationId,
      summary: route.summary,
      description: route.description,
      tags: [path.split("/")[1] ?? ""],
      protect: route.access !== "anyone",
      errorResponses: { ...errorResponses, 500: "INTERNAL" },
      ...(route.idempotent
        ? { requestHeaders: idempotencyRequestHeaders, responseHeaders: idempotencyResponseHeaders }
        : {}),
    },
  };
}
