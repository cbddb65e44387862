import type { DomainErrorReason } from "@eventforge/domain";
import type { OpenApiMeta, OpenApiMethod } from "trpc-to-openapi";
import { httpStatusOf } from "./errors.js";

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
    },
  };
}
