import type { OpenApiMeta, OpenApiMethod } from "trpc-to-openapi";
import type { z } from "zod";

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
    },
    ...(route.body ? { restBody: route.body } : {}),
  };
}
