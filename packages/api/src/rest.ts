import type { OpenApiMeta, OpenApiMethod } from "trpc-to-openapi";
import { z } from "zod";

/**
 * The request header of an idempotent route (docs/design.md, Idempotency keys), for the OpenAPI
 * document.
 */
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

type OpenApiRoute = NonNullable<OpenApiMeta["openapi"]>;

/** A procedure's meta: trpc-to-openapi's, plus what the OpenAPI document says of the REST body. */
export interface ProcedureMeta extends OpenApiMeta {
  /**
   * The request body exactly as REST takes it, when the procedure's input cannot say it (an object
   * input refined to one of several forms documents as one loose object).
   */
  restBody?: z.ZodType;
}

/**
 * The REST route of a procedure (its `meta`). Its security and error responses are not given here:
 * the OpenAPI document derives them from the procedure's entry in PROCEDURE_ERRORS.
 */
export function restRoute(
  method: OpenApiMethod,
  path: OpenApiRoute["path"],
  route: {
    summary: string;
    description?: string;
    /** Defaults to the procedure's path, dotted with dashes (`reservations-confirm`). */
    operationId?: string;
    body?: z.ZodType;
    /** Whether the route honours an `Idempotency-Key` header (docs/design.md, Idempotency keys). */
    idempotent?: boolean;
  },
): ProcedureMeta {
  return {
    openapi: {
      method,
      path,
      operationId: route.operationId,
      summary: route.summary,
      description: route.description,
      tags: [path.split("/")[1] ?? ""],
      ...(route.idempotent
        ? // The reply's `Idempotent-Replayed: true` is described here: a documented response header
          // would read as one every answer carries.
          { requestHeaders: idempotencyRequestHeaders }
        : {}),
    },
    ...(route.body ? { restBody: route.body } : {}),
  };
}
